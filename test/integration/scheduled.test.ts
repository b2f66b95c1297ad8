import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { waitFor } from "../../dev/ports";

const stack = inject("stack");

function maintenanceLines(): Array<{ message: string; status: string; unhealthy: string[]; traceId: string }> {
  return readFileSync(stack.wranglerLog, "utf8")
    .split("\n")
    .filter((line) => line.includes('"scheduled maintenance"'))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))));
}

describe("cron trigger on the edge", () => {
  it("runs scheduled maintenance over every Worker and logs one JSON line with a trace id", async () => {
    const health = (await (await fetch(`${stack.edgeUrl}/health`)).json()) as { status: string; workers: Record<string, { status: string }> };
    const notOk = Object.entries(health.workers).filter(([, report]) => report.status !== "ok").map(([name]) => name);
    const before = maintenanceLines().length;
    const response = await fetch(`${stack.edgeUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`);
    expect(response.status).toBe(200);
    await waitFor(async () => maintenanceLines().length > before, 10_000, "the maintenance log line");
    const line = maintenanceLines().at(-1)!;
    expect(line.status).toBe(health.status);
    expect(line.unhealthy).toEqual(notOk);
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
