// The maintenance cron's metrics rollup, once a minute:
// - a snapshot of the headline totals of the metrics hash (shared/metrics.ts metricTotals) with the
//   change since the previous minute's snapshot (per-minute rates), pushed to a capped list, newest
//   first (METRICS_HISTORY_MINUTES entries, a day by default): `LRANGE <prefix>edge:metrics:history 0 59`
//   is the last hour. A second run in the same minute replaces that minute's snapshot.
// - the audit stream trimmed by age (XTRIM MINID: records older than AUDIT_RETENTION_HOURS go), on top
//   of the XADD MAXLEN cap that bounds it by count.
// One pipelined read, one pipelined write; Redis failing is a reason in the cron's log line.
import { z } from "zod";
import { metricTotals, metricsHashKey, metricsHistoryKey, redisFromEnv, type MetricTotals } from "@llm-edge/shared";
import { auditStreamKey, type AuditEnv } from "./audit";
import { edgeKeyPrefix } from "./limits/redis";

export interface RollupEnv extends AuditEnv {
  METRICS_HISTORY_MINUTES?: string;
  AUDIT_RETENTION_HOURS?: string;
}

/** Defaults: a day of minute snapshots; 30 days of audit records. */
export const DEFAULT_HISTORY_MINUTES = 1_440;
export const DEFAULT_AUDIT_RETENTION_HOURS = 720;

/** One minute's snapshot: cumulative totals, and their change since the previous minute's snapshot (absent for the first). */
export interface MetricsSnapshot {
  minute: string;
  at: number;
  totals: MetricTotals;
  delta?: MetricTotals;
}

export interface RollupReport {
  minute: string;
  historyLength: number;
  /** Requests since the previous snapshot (undefined for the first). */
  requestsDelta?: number;
  auditTrimmed: number;
}

/**
 * Writes the snapshot: replaces the head when it is the same minute, else pushes it; then caps the list.
 * KEYS: history list. ARGV: snapshot JSON, cap, the JSON's opening up to its minute. → the list's length.
 */
const WRITE_SNAPSHOT = `
local head = redis.call('LINDEX', KEYS[1], 0)
if head and string.sub(head, 1, #ARGV[3]) == ARGV[3] then
  redis.call('LSET', KEYS[1], 0, ARGV[1])
else
  redis.call('LPUSH', KEYS[1], ARGV[1])
end
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return redis.call('LLEN', KEYS[1])`;

const PositiveIntSchema = z.coerce.number().int().positive().max(1_000_000);

function setting(value: string | undefined, fallback: number): number {
  const parsed = PositiveIntSchema.safeParse(value);
  return value && parsed.success ? parsed.data : fallback;
}

function parseSnapshot(raw: unknown): MetricsSnapshot | undefined {
  if (typeof raw === "object" && raw !== null) return raw as MetricsSnapshot;
  if (typeof raw !== "string") return undefined;
  try {
    return JSON.parse(raw) as MetricsSnapshot;
  } catch {
    return undefined;
  }
}

/** totals − previous, field by field; a counter that went down (the hash was reset) counts from zero. */
function change(totals: MetricTotals, previous: MetricTotals): MetricTotals {
  const reset = (Object.keys(totals) as Array<keyof MetricTotals>).some((key) => totals[key] < (previous[key] ?? 0));
  if (reset) return totals;
  return Object.fromEntries((Object.keys(totals) as Array<keyof MetricTotals>).map((key) => [key, Number((totals[key] - (previous[key] ?? 0)).toFixed(8))])) as unknown as MetricTotals;
}

/** The minute of `now` as "2026-01-01T12:34Z". */
export function minuteOf(now: number): string {
  return `${new Date(now).toISOString().slice(0, 16)}Z`;
}

/** Runs the rollup (snapshot + audit trim) at `now`. Throws when Redis cannot be reached. */
export async function rollupMetrics(env: RollupEnv, now: number = Date.now()): Promise<RollupReport> {
  const redis = redisFromEnv(env);
  const prefix = edgeKeyPrefix(env);
  const historyKey = metricsHistoryKey(prefix);
  const [stored, recent] = (await redis.pipeline().hgetall(metricsHashKey(prefix)).lrange(historyKey, 0, 1).exec()) as [Record<string, unknown> | null, unknown[]];
  const minute = minuteOf(now);
  const totals = metricTotals(Object.fromEntries(Object.entries(stored ?? {}).map(([field, value]) => [field, Number(value)])));
  const previous = recent.map(parseSnapshot).find((snapshot) => snapshot !== undefined && snapshot.minute !== minute);
  const snapshot: MetricsSnapshot = { minute, at: now, totals, ...(previous ? { delta: change(totals, previous.totals) } : {}) };
  const json = JSON.stringify(snapshot);
  const cutoff = now - setting(env.AUDIT_RETENTION_HOURS, DEFAULT_AUDIT_RETENTION_HOURS) * 3_600_000;
  const [historyLength, auditTrimmed] = (await redis
    .pipeline()
    .eval(WRITE_SNAPSHOT, [historyKey], [json, String(setting(env.METRICS_HISTORY_MINUTES, DEFAULT_HISTORY_MINUTES)), json.slice(0, json.indexOf(minute) + minute.length + 1)])
    .xtrim(auditStreamKey(env), { strategy: "MINID", exactness: "=", threshold: `${cutoff}-0` })
    .exec()) as [number, number];
  return { minute, historyLength: Number(historyLength), ...(snapshot.delta ? { requestsDelta: snapshot.delta.requests } : {}), auditTrimmed: Number(auditTrimmed) };
}
