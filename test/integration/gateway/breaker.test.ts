// The circuit breaker through the whole stack: trips on consecutive failures and on latency-SLA
// breaches, skips an open target without calling it, shows on /health, and closes after a
// successful half-open probe.
import { beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../dev/ports";
import { ask, chat, fault, health, resetSim, simCalls } from "../support";

beforeEach(resetSim);

async function breakerCheck(target: string): Promise<{ status: string; detail?: string } | undefined> {
  return (await health()).workers.gateway?.checks[`breaker:${target}`];
}

describe("circuit breaker", () => {
  it("trips after consecutive failures, then skips the target at once until a probe succeeds", async () => {
    await fault({ model: "t-br-a", status: 503 });
    for (let i = 0; i < 3; i++) {
      const response = await chat(ask("t-breaker"));
      expect(response.status).toBe(200);
      expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    }
    expect(await simCalls("t-br-a")).toEqual({ "t-br-a": 3 });

    const skipped = await chat(ask("t-breaker"));
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get("x-gateway-skipped")).toContain("sim/t-br-a;circuit_open");
    expect(skipped.headers.get("x-gateway-attempts")).toBe("1");
    expect(await simCalls("t-br-a")).toEqual({ "t-br-a": 3 });
    expect((await breakerCheck("sim/t-br-a"))?.detail).toMatch(/^open/);

    // The provider recovers; after the cooldown one probe goes through and closes the breaker.
    await resetSim();
    await waitFor(async () => (await chat(ask("t-breaker"))).headers.get("x-gateway-fallback-index") === "0", 6_000, "a successful half-open probe", 200);
    expect((await breakerCheck("sim/t-br-a"))?.status).toBe("ok");
  });

  it("re-opens when the half-open probe fails, without a second probe", async () => {
    await fault({ model: "t-br-a", status: 503 });
    for (let i = 0; i < 3; i++) await chat(ask("t-breaker"));
    await waitFor(async () => (await breakerCheck("sim/t-br-a"))?.detail?.startsWith("half_open") ?? false, 6_000, "half-open", 100);
    const before = (await simCalls("t-br-a"))["t-br-a"]!;
    const probe = await chat(ask("t-breaker"));
    expect(probe.status).toBe(200);
    expect((await simCalls("t-br-a"))["t-br-a"]).toBe(before + 1);
    const after = await chat(ask("t-breaker"));
    expect(after.headers.get("x-gateway-skipped")).toContain("sim/t-br-a;circuit_open");
    expect((await simCalls("t-br-a"))["t-br-a"]).toBe(before + 1);
  });

  it("trips on latency-SLA breaches even though every answer succeeded", async () => {
    await fault({ model: "t-sla-a", latencyMs: 300 });
    for (let i = 0; i < 2; i++) expect((await chat(ask("t-sla"))).headers.get("x-gateway-model")).toBe("t-sla-a");
    const third = await chat(ask("t-sla"));
    expect(third.headers.get("x-gateway-model")).toBe("t-sla-b");
    expect(third.headers.get("x-gateway-skipped")).toContain("sim/t-sla-a;circuit_open");
    expect(await simCalls("t-sla-a")).toEqual({ "t-sla-a": 2 });
  });
});
