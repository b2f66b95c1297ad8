// Helpers for the observability tests: the wrangler log's JSON lines of one trace, /metrics samples,
// and the audit stream read back with XRANGE through the stack's Upstash Redis endpoint.
import { readFileSync } from "node:fs";
import { Redis } from "@upstash/redis";
import { stack } from "../support";

export type LogLine = Record<string, unknown> & { worker?: string; traceId?: string; message?: string; rpc?: string };

/** Every line of the wrangler log that mentions `traceId`, parsed as JSON (a line that is not JSON fails the parse). */
export function traceLines(traceId: string): LogLine[] {
  return readFileSync(stack.wranglerLog, "utf8")
    .split("\n")
    .filter((line) => line.includes(traceId))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as LogLine);
}

export function wranglerLogText(): string {
  return readFileSync(stack.wranglerLog, "utf8");
}

export const METRICS_TOKEN = stack.vars.METRICS_TOKEN!;

export function scrape(token: string | undefined = METRICS_TOKEN): Promise<Response> {
  return fetch(`${stack.edgeUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** The scrape's samples by series (`name{labels}` → value). */
export async function metrics(): Promise<Map<string, number>> {
  const response = await scrape();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** The value of a series (0 when absent). */
export function value(samples: Map<string, number>, series: string): number {
  return samples.get(series) ?? 0;
}

export function redis(): Redis {
  return new Redis({ url: stack.redisBridgeUrl, token: stack.vars.UPSTASH_REDIS_REST_TOKEN! });
}

export const AUDIT_STREAM = `${stack.vars.REDIS_KEY_PREFIX}edge:audit`;

/** The audit records (newest last) whose traceId is `traceId`. */
export async function auditRecords(traceId: string): Promise<Array<Record<string, string>>> {
  const entries = (await redis().xrevrange(AUDIT_STREAM, "+", "-", 2_000)) as Record<string, Record<string, unknown>>;
  return Object.values(entries)
    .map((record) => Object.fromEntries(Object.entries(record).map(([field, item]) => [field, String(item)])))
    .filter((record) => record.traceId === traceId)
    .reverse();
}
