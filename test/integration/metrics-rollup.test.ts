// The maintenance cron's metrics rollup on the running stack: after /v1 requests are counted in the
// metrics hash, a maintenance run (the scheduled endpoint) writes this minute's snapshot whose request
// total is the hash's, logs what it did on the maintenance line, and a later run counts the requests made since.
import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../dev/ports";
import { stack } from "./support";
import { logLength, logLines } from "./enrich/support";

const redis = new Redis({ url: stack.redisBridgeUrl, token: stack.vars.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });
const hashKey = `${stack.vars.REDIS_KEY_PREFIX}edge:metrics`;
const historyKey = `${stack.vars.REDIS_KEY_PREFIX}edge:metrics:history`;

async function countedRequests(): Promise<number> {
  const fields = (await redis.hgetall<Record<string, number>>(hashKey)) ?? {};
  return Object.entries(fields).filter(([field]) => field.startsWith("llm_edge_requests_total")).reduce((sum, [, value]) => sum + Number(value), 0);
}

async function requestsCounted(count: number): Promise<number> {
  const before = await countedRequests();
  for (let i = 0; i < count; i++) expect((await fetch(`${stack.edgeUrl}/v1/models`, { headers: { authorization: `Bearer ${stack.apiKey}` } })).status).toBe(200);
  await waitFor(async () => (await countedRequests()) >= before + count, 10_000, "the requests in the metrics hash");
  return countedRequests();
}

async function maintenanceRun(): Promise<{ minute: string; historyLength: number; auditTrimmed: number }> {
  const from = logLength();
  expect((await fetch(`${stack.edgeUrl}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`)).status).toBe(200);
  await waitFor(async () => logLines("scheduled maintenance", from).length > 0, 10_000, "the maintenance log line");
  return logLines("scheduled maintenance", from).at(-1)!.metricsRollup as { minute: string; historyLength: number; auditTrimmed: number };
}

describe("metrics rollup in the maintenance cron", () => {
  it("snapshots the request total per minute and counts the requests made between two runs", async () => {
    const total = await requestsCounted(3);
    const first = await maintenanceRun();
    expect(first.minute).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
    expect(first.historyLength).toBeGreaterThanOrEqual(1);
    expect(first.auditTrimmed).toBe(0);
    const [head] = (await redis.lrange(historyKey, 0, 0)) as unknown as Array<{ minute: string; totals: { requests: number } }>;
    expect(head!.minute).toBe(first.minute);
    expect(head!.totals.requests).toBe(total);

    const later = await requestsCounted(2);
    const second = await maintenanceRun();
    const [newest] = (await redis.lrange(historyKey, 0, 0)) as unknown as Array<{ minute: string; totals: { requests: number } }>;
    expect(newest!.minute).toBe(second.minute);
    expect(newest!.totals.requests - head!.totals.requests).toBe(later - total);
    expect(later - total).toBe(2);
    // Same minute: replaced; a new minute: one more snapshot.
    expect(second.historyLength).toBe(second.minute === first.minute ? first.historyLength : first.historyLength + 1);
  });
});
