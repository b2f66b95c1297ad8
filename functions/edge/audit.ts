// The audit stream: one redacted record per /v1 request (and per decision a request makes: a review
// or job approved, a key refused, a limit hit), appended with XADD to an Upstash Redis stream that is
// trimmed to about AUDIT_STREAM_MAXLEN entries. A record names the tenant, a key id (never the key),
// the route, model, targets, status, cache and guardrail verdicts with finding types (never values),
// tokens, cost and the trace id. Shape and replay (XRANGE): docs/operations.md.
import { z } from "zod";
import { edgeKeyPrefix, type EdgeRedisEnv } from "./limits/redis";
import { sha256Hex } from "./key-store";

/** Default bound of the stream (MAXLEN ~): about this many newest records are kept. */
export const DEFAULT_AUDIT_MAXLEN = 100_000;

const MaxLenSchema = z.coerce.number().int().positive().max(100_000_000);

export interface AuditEnv extends EdgeRedisEnv {
  AUDIT_STREAM_MAXLEN?: string;
}

/** The stream's key: REDIS_KEY_PREFIX + "edge:audit". */
export function auditStreamKey(env: AuditEnv): string {
  return `${edgeKeyPrefix(env)}audit`;
}

/** AUDIT_STREAM_MAXLEN as a positive integer; unset or invalid → DEFAULT_AUDIT_MAXLEN. */
export function auditMaxLen(env: AuditEnv): number {
  const parsed = MaxLenSchema.safeParse(env.AUDIT_STREAM_MAXLEN);
  return env.AUDIT_STREAM_MAXLEN && parsed.success ? parsed.data : DEFAULT_AUDIT_MAXLEN;
}

/** One audit record. Every value is a string (a Redis stream field); absent facts are left out. */
export interface AuditRecord {
  ts: string;
  traceId: string;
  tenant: string;
  keyId: string;
  method: string;
  route: string;
  status: string;
  code?: string;
  model?: string;
  target?: string;
  attempts?: string;
  fallbackIndex?: string;
  skipped?: string;
  cache?: string;
  guardrail?: string;
  reviewId?: string;
  jobId?: string;
  tokensIn?: string;
  tokensOut?: string;
  costUsd?: string;
  stream?: string;
  durationMs: string;
}

/**
 * The key id of the record: a stored key's id ("key:<id>"), else the first 12 hex digits of the
 * presented key's SHA-256 ("sha256:<12 hex>"), "none" when no key was sent. The key itself never
 * leaves this function.
 */
export async function auditKeyId(storedKeyId: string | undefined, presentedKey: string | undefined): Promise<string> {
  if (storedKeyId) return `key:${storedKeyId}`;
  if (!presentedKey) return "none";
  return `sha256:${(await sha256Hex(presentedKey)).slice(0, 12)}`;
}

/** The record as XADD field/value pairs, leaving out absent facts. */
export function auditFields(record: AuditRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== "")) as Record<string, string>;
}
