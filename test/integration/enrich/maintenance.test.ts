// The maintenance cron's half-open probes: a breaker that opened stays open while no traffic reaches
// its target; the cron asks the gateway to probe it once its cooldown is over, and a healthy target
// closes again with exactly one upstream call.
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../dev/ports";
import { ask, chat, fault, health, resetSim, simCalls } from "../support";
import { logLength, logLines, MAINTENANCE_CRON, runCron } from "./support";

afterEach(resetSim);

const BREAKER = "breaker:sim/t-enr-probe";

async function breakerDetail(): Promise<string> {
  return (await health()).workers.gateway?.checks[BREAKER]?.detail ?? "unknown";
}

describe("maintenance cron", () => {
  it("probes an open breaker whose cooldown is over and closes it when the target answers", async () => {
    await fault({ model: "t-enr-probe", status: 500, times: 2 });
    for (let call = 0; call < 2; call++) expect((await chat(ask("t-enr-probe"))).status).toBeGreaterThanOrEqual(500);
    const refused = await chat(ask("t-enr-probe"));
    expect(refused.status).toBe(503);
    await waitFor(async () => (await breakerDetail()).startsWith("half_open"), 10_000, "the breaker's cooldown to end");
    const before = await simCalls("t-enr-probe");
    const logFrom = logLength();

    await runCron(MAINTENANCE_CRON);
    await waitFor(async () => (await breakerDetail()) === "closed", 10_000, "the probe to close the breaker");
    expect((await simCalls("t-enr-probe"))["t-enr-probe"]! - before["t-enr-probe"]!).toBe(1);
    await waitFor(async () => logLines("scheduled maintenance", logFrom).length > 0, 10_000, "the maintenance log line");
    const line = logLines("scheduled maintenance", logFrom).at(-1)!;
    expect(line.breakerProbes).toEqual(expect.arrayContaining([{ target: "sim/t-enr-probe", outcome: "closed" }]));
    expect((await chat(ask("t-enr-probe"))).status).toBe(200);
  });
});
