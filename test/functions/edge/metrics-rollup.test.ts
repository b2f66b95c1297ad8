// The maintenance cron's metrics rollup against real Redis through the Upstash REST bridge, on a
// hand-driven clock: a snapshot of the headline totals per minute (the same minute replaced, not
// added), the change since the previous minute, the list capped at METRICS_HISTORY_MINUTES, and the
// audit stream losing records older than AUDIT_RETENTION_HOURS.
import type { Redis as DirectRedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollupMetrics, type MetricsSnapshot } from "../../../functions/edge/metrics-rollup";
import { startHarness, type BridgeHarness } from "../../dev/redis-bridge/harness";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 5);

let harness: BridgeHarness;
let direct: DirectRedis;
let prefix = "";
let hash = "";
let history = "";
let audit = "";

beforeAll(async () => {
  harness = await startHarness();
  direct = harness.direct;
  prefix = harness.key("rollup:");
  [hash, history, audit] = [`${prefix}edge:metrics`, `${prefix}edge:metrics:history`, `${prefix}edge:audit`];
});

afterAll(() => harness?.close());

async function snapshots(): Promise<MetricsSnapshot[]> {
  return (await direct.lrange(history, 0, -1)).map((raw) => JSON.parse(raw) as MetricsSnapshot);
}

describe("metrics rollup", () => {
  it("snapshots the totals once a minute with the change since the last minute, capped, and trims old audit records", async () => {
    const env = { UPSTASH_REDIS_REST_URL: harness.bridge.url, UPSTASH_REDIS_REST_TOKEN: harness.token, REDIS_KEY_PREFIX: prefix, METRICS_HISTORY_MINUTES: "3", AUDIT_RETENTION_HOURS: "1" };
    const ok = 'llm_edge_requests_total{route="/v1/chat/completions",status="200",model="default",tenant="tenant-a"}';
    await direct.hset(hash, {
      [ok]: 5,
      'llm_edge_requests_total{route="/v1/chat/completions",status="503",model="default",tenant="tenant-a"}': 1,
      'llm_edge_requests_total{route="/v1/embeddings",status="429",model="none",tenant="tenant-b"}': 2,
      'llm_edge_cache_lookups_total{model="default",result="hit"}': 3,
      'llm_edge_cache_lookups_total{model="default",result="miss"}': 1,
      'llm_edge_cost_usd_total{model="default",tenant="tenant-a"}': 0.25,
      'llm_edge_tokens_total{model="default",direction="input"}': 70,
      'llm_edge_tokens_total{model="default",direction="output"}': 30,
      'llm_edge_jobs_total{kind="fanout",state="created"}': 2,
      'llm_edge_jobs_total{kind="fanout",state="succeeded"}': 1,
      'llm_edge_request_duration_seconds_count{route="/v1/embeddings"}': 8,
    });
    // Two audit records: one older than the hour of retention, one within it.
    await direct.xadd(audit, `${T0 - 2 * 3_600_000}-0`, "route", "/v1/old");
    await direct.xadd(audit, `${T0 - 600_000}-0`, "route", "/v1/recent");

    const first = await rollupMetrics(env, T0);
    expect(first).toEqual({ minute: "2026-01-01T12:00Z", historyLength: 1, auditTrimmed: 1 });
    expect((await direct.xrange(audit, "-", "+")).map(([, fields]) => fields[1])).toEqual(["/v1/recent"]);
    const [head] = await snapshots();
    expect(head).toEqual({
      minute: "2026-01-01T12:00Z",
      at: T0,
      totals: { requests: 8, clientErrors: 2, serverErrors: 1, upstreamAttempts: 0, fallbacks: 0, cacheHits: 3, cacheMisses: 1, tokens: 100, costUsd: 0.25, jobsCreated: 2 },
    });

    // Later in the same minute: the minute's snapshot is replaced, not added.
    await direct.hincrby(hash, ok, 4);
    expect(await rollupMetrics(env, T0 + 20_000)).toMatchObject({ historyLength: 1, auditTrimmed: 0 });
    expect((await snapshots())[0]!.totals.requests).toBe(12);

    // The next minute: a new snapshot with the change since the previous minute.
    await direct.hincrby(hash, ok, 3);
    expect(await rollupMetrics(env, T0 + 60_000)).toMatchObject({ minute: "2026-01-01T12:01Z", historyLength: 2, requestsDelta: 3 });
    const [next] = await snapshots();
    expect(next!.delta).toEqual({ requests: 3, clientErrors: 0, serverErrors: 0, upstreamAttempts: 0, fallbacks: 0, cacheHits: 0, cacheMisses: 0, tokens: 0, costUsd: 0, jobsCreated: 0 });

    // Capped at METRICS_HISTORY_MINUTES (3), newest first.
    await rollupMetrics(env, T0 + 120_000);
    expect(await rollupMetrics(env, T0 + 180_000)).toMatchObject({ historyLength: 3, requestsDelta: 0 });
    expect((await snapshots()).map((snapshot) => snapshot.minute)).toEqual(["2026-01-01T12:03Z", "2026-01-01T12:02Z", "2026-01-01T12:01Z"]);

    // A reset hash (counters went down) counts from zero instead of a negative change.
    await direct.del(hash);
    await direct.hset(hash, ok, 2);
    expect(await rollupMetrics(env, T0 + 240_000)).toMatchObject({ requestsDelta: 2 });
  });
});
