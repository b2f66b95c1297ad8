// Helpers for the enrichment tests: the intake API, cron runs through wrangler's scheduled endpoint,
// and direct reads of the tenant's streams and hashes in Redis (through the Upstash REST bridge, with
// the real @upstash/redis client, as a producer or an operator would).
import { readFileSync } from "node:fs";
import { Redis } from "@upstash/redis";
import { stack } from "../support";

export const NONCE = Math.random().toString(36).slice(2, 10);
export const TENANT = "tenant-a";
export const ENRICH_CRON = "*/1 * * * *";
export const MAINTENANCE_CRON = "* * * * *";

const prefix = `${stack.vars.REDIS_KEY_PREFIX}enrich:`;
export const keys = {
  tenants: `${prefix}tenants`,
  intake: `${prefix}${TENANT}:intake`,
  results: `${prefix}${TENANT}:results`,
  dead: `${prefix}${TENANT}:dead`,
  record: (id: string) => `${prefix}${TENANT}:record:${id}`,
};

/** Raw strings in and out: what a producer in another language would see. */
export const redis = new Redis({ url: stack.redisBridgeUrl, token: stack.vars.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false, automaticDeserialization: false });

export function api(path: string, init: { method?: string; body?: unknown; apiKey?: string; raw?: string } = {}): Promise<Response> {
  return fetch(`${stack.edgeUrl}/v1${path}`, {
    method: init.method ?? (init.body === undefined && init.raw === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${init.apiKey ?? stack.apiKey}`, "content-type": "application/json" },
    ...(init.raw !== undefined ? { body: init.raw } : init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}

export interface RecordBody {
  id: string;
  status: string;
  attempts: number;
  kind: string;
  type?: string;
  reason?: string;
  result?: { jobId: string; branches: Record<string, { text: string; json?: unknown }> };
  errors: Array<{ attempt: number; message: string }>;
}

export async function getRecord(id: string): Promise<RecordBody> {
  const response = await api(`/enrich/${encodeURIComponent(id)}`);
  if (response.status !== 200) throw new Error(`GET record ${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as RecordBody;
}

/** One cron tick as the platform would send it (wrangler dev's scheduled endpoint runs the handler to its end). */
export async function runCron(cron = ENRICH_CRON): Promise<void> {
  const response = await fetch(`${stack.edgeUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}`);
  if (response.status !== 200) throw new Error(`scheduled: ${response.status} ${await response.text()}`);
}

/** Runs the cron until every record has one of `statuses` (or the deadline passes: then throws with the statuses seen). */
export async function drainUntil(ids: string[], statuses: string[], timeoutMs = 25_000): Promise<RecordBody[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await runCron();
    const records = await Promise.all(ids.map(getRecord));
    if (records.every((record) => statuses.includes(record.status))) return records;
    if (Date.now() > deadline) throw new Error(`records not settled: ${JSON.stringify(records.map((record) => [record.id, record.status, record.attempts]))}`);
  }
}

/** Entries of a stream as {entryId, fields} (XRANGE's raw reply: [[id, [field, value, …]], …]). */
export async function streamEntries(key: string): Promise<Array<{ entryId: string; fields: Record<string, string> }>> {
  const reply = (await redis.xrange(key, "-", "+")) as unknown as Array<[string, string[]]>;
  return reply.map(([entryId, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { entryId, fields };
  });
}

/** Entries of the intake stream still pending for the consumer group (0 when the group is missing). */
export async function pendingCount(): Promise<number> {
  try {
    const summary = (await redis.xpending(keys.intake, "enrich", "-", "+", 10_000)) as unknown[];
    return summary.length;
  } catch {
    return 0;
  }
}

/** The JSON lines the edge logged with this message since `fromLine`. */
export function logLines(message: string, fromLine = 0): Array<Record<string, unknown>> {
  return readFileSync(stack.wranglerLog, "utf8")
    .split("\n")
    .slice(fromLine)
    .filter((line) => line.includes(`"${message}"`))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>);
}

export function logLength(): number {
  return readFileSync(stack.wranglerLog, "utf8").split("\n").length;
}
