// The maintenance cron's metrics rollup on the running stack: after /v1 requests are counted in the
// metrics hash, a maintenance run (the scheduled endpoint) writes this minute's snapshot whose request
// total is the hash's, logs what it did on the maintenance line, and a later run counts the requests made since.
// Other test files make requests at the same time, so this one uses a tenant of its own (it-rollup)
// for exact counts and brackets the hash-wide totals a snapshot holds by reads before and after it.
import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../dev/ports";
import { stack } from "./support";
import { logLength, logLines } from "./enrich/support";

const redis = new Redis({ url: stack.redisBridgeUrl, token: stack.vars.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });
const hashKey = `${stack.vars.REDIS_KEY_PREFIX}edge:metrics`;
const historyKey = `${stack.vars.REDIS_KEY_PREFIX}edge:metrics:history`;

/** Requests counted in the metrics hash: all of them, or one tenant's. */
async function countedRequests(tenant?: string): Promise<number> {
  const fields = (await redis.hgetall<Record<string, number>>(hashKey)) ?? {};
  return Object.entries(fields)
    .filter(([field]) => field.startsWith("llm_edge_requests_total") && (tenant === undefined || field.includes(`tenant="${tenant}"`)))
    .reduce((sum, [, value]) => sum + Number(value), 0);
}

/** Makes `count` requests as it-rollup and returns that tenant's count once they are all in the hash. */
async function requestsCounted(count: number): Promise<number> {
  const before = await countedRequests("it-rollup");
  for (let i = 0; i < count; i++) expect((await fetch(`${stack.edgeUrl}/v1/models`, { headers: { authorization: "Bearer sk-test-rollup" } })).status).toBe(200);
  await waitFor(async () => (await countedRequests("it-rollup")) >= before + count, 10_000, "the requests in the metrics hash");
  return countedRequests("it-rollup");
}

/** A maintenance run with the hash-wide request totals read just before and just after it. */
async function bracketedRun(): Promise<{ run: Awaited<ReturnType<typeof maintenanceRun>>; before: number; after: number }> {
  const before = await countedRequests();
  const run = await maintenanceRun();
  return { run, before, after: await countedRequests() };
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
    const { run: first, before: firstBefore, after: firstAfter } = await bracketedRun();
    expect(first.minute).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\dZ$/);
    expect(first.historyLength).toBeGreaterThanOrEqual(1);
    expect(first.auditTrimmed).toBe(0);
    const [head] = (await redis.lrange(historyKey, 0, 0)) as unknown as Array<{ minute: string; totals: { requests: number } }>;
    expect(head!.minute).toBe(first.minute);
    expect(head!.totals.requests).toBeGreaterThanOrEqual(firstBefore);
    expect(head!.totals.requests).toBeLessThanOrEqual(firstAfter);

    const later = await requestsCounted(2);
    expect(later - total).toBe(2);
    const { run: second, before: secondBefore, after: secondAfter } = await bracketedRun();
    const [newest] = (await redis.lrange(historyKey, 0, 0)) as unknown as Array<{ minute: string; totals: { requests: number } }>;
    expect(newest!.minute).toBe(second.minute);
    expect(newest!.totals.requests).toBeGreaterThanOrEqual(secondBefore);
    expect(newest!.totals.requests).toBeLessThanOrEqual(secondAfter);
    // The two requests made between the runs are in the difference (other files' requests may add more).
    expect(newest!.totals.requests - head!.totals.requests).toBeGreaterThanOrEqual(later - total);
    // Same minute: replaced; a new minute: one more snapshot.
    expect(second.historyLength).toBe(second.minute === first.minute ? first.historyLength : first.historyLength + 1);
  });
});
