// The pure part of the consumer: reading an intake entry and a record's status hash (as the Upstash
// client returns them, with or without its automatic JSON deserialisation), deciding the next step
// of a record, and the retry backoff. No I/O here; consumer.ts carries the steps out.
import { EnrichStatusSchema, IntakeEntrySchema, RecordIdSchema, type EnrichError, type EnrichRecordView, type EnrichResult, type EnrichStatus, type IntakeEntry } from "@llm-edge/shared/enrich";
import type { EnrichBackoff, EnrichmentConfig } from "@llm-edge/shared/enrich-config";

/** A value as text: strings as they are, other values (numbers, parsed JSON) re-serialised. */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A value that may still be JSON text (deserialisation off) or already parsed (on). */
function fieldJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function fieldNumber(value: unknown): number | undefined {
  const number = typeof value === "number" ? value : typeof value === "string" && value !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** Stream entry fields [f1, v1, f2, v2, …] (or null for an entry deleted since) as an object. */
export function entryFields(raw: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(raw)) return undefined;
  const fields: Record<string, unknown> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) fields[String(raw[i])] = raw[i + 1];
  return fields;
}

/** The record id of a directly XADDed entry that carries none: "e" + the entry id. */
export function idForEntry(entryId: string): string {
  return `e${entryId}`;
}

/** The time in an entry id ("1700000000000-0" → 1700000000000). */
export function entryTime(entryId: string): number {
  return Number(entryId.split("-")[0]) || 0;
}

export type ParsedEntry =
  | { ok: true; id: string; entry: IntakeEntry; enqueuedAt: number; body: string }
  | { ok: false; id: string; reason: string; body: string };

/**
 * Validates one intake entry. Malformed ones (unknown kind, body not JSON, a body the schemas refuse)
 * come back with the reason and an id to file the dead letter under: the body's id when readable.
 */
export function parseEntry(entryId: string, fields: Record<string, unknown> | undefined): ParsedEntry {
  const rawBody = fieldText(fields?.body) ?? "";
  const body = fieldJson(fields?.body);
  const declaredId = typeof body === "object" && body !== null && "id" in body ? RecordIdSchema.safeParse(fieldText(body.id)) : undefined;
  const id = declaredId?.success ? declaredId.data : idForEntry(entryId);
  if (!fields) return { ok: false, id, reason: "the entry was deleted from the intake stream", body: rawBody };
  const parsed = IntakeEntrySchema.safeParse({ kind: fieldText(fields.kind), body, at: fieldNumber(fields.at) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join(".");
    return { ok: false, id, reason: `malformed entry: ${path ? `${path}: ` : ""}${issue.message}`, body: rawBody };
  }
  return { ok: true, id, entry: parsed.data, enqueuedAt: parsed.data.at ?? entryTime(entryId), body: rawBody };
}

/** The template a valid entry is enriched with, or why there is none. */
export function templateFor(entry: IntakeEntry, config: EnrichmentConfig): { ok: true; name: string } | { ok: false; reason: string } {
  const name = entry.kind === "record" ? (entry.body.template ?? "default") : config.events[entry.body.type]?.template;
  if (name === undefined) return { ok: false, reason: `no template is configured for event type "${entry.kind === "event" ? entry.body.type : ""}"` };
  if (!(name in config.templates)) return { ok: false, reason: `unknown template "${name}"` };
  return { ok: true, name };
}

/** A record's status hash, read. */
export interface RecordState {
  kind: "record" | "event";
  type?: string;
  template?: string;
  status: EnrichStatus;
  attempts: number;
  attemptsBase: number;
  jobId?: string;
  entryId?: string;
  enqueuedAt?: number;
  updatedAt?: number;
  finishedAt?: number;
  nextAttemptAt?: number;
  reason?: string;
  errors: EnrichError[];
  result?: EnrichResult;
}

/** An HGETALL reply as a RecordState; undefined when the hash is missing or has no valid status. */
export function parseRecordState(raw: Record<string, unknown> | null | undefined): RecordState | undefined {
  if (!raw) return undefined;
  const status = EnrichStatusSchema.safeParse(fieldText(raw.status));
  if (!status.success) return undefined;
  const errors = fieldJson(raw.errors);
  const result = fieldJson(raw.result);
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    kind: fieldText(raw.kind) === "event" ? "event" : "record",
    status: status.data,
    attempts: fieldNumber(raw.attempts) ?? 0,
    attemptsBase: fieldNumber(raw.attemptsBase) ?? 0,
    errors: Array.isArray(errors) ? (errors as EnrichError[]) : [],
    ...optional("type", fieldText(raw.type) || undefined),
    ...optional("template", fieldText(raw.template) || undefined),
    ...optional("jobId", fieldText(raw.jobId)),
    ...optional("entryId", fieldText(raw.entryId)),
    ...optional("enqueuedAt", fieldNumber(raw.enqueuedAt)),
    ...optional("updatedAt", fieldNumber(raw.updatedAt)),
    ...optional("finishedAt", fieldNumber(raw.finishedAt)),
    ...optional("nextAttemptAt", fieldNumber(raw.nextAttemptAt)),
    ...optional("reason", fieldText(raw.reason)),
    ...(typeof result === "object" && result !== null ? { result: result as EnrichResult } : {}),
  };
}

/** GET /v1/enrich/:id's body. */
export function recordView(id: string, state: RecordState): EnrichRecordView {
  const { attemptsBase: _base, entryId: _entry, ...rest } = state;
  return { id, object: "enrichment.record", ...rest };
}

/** What the consumer does with a record's entry next. */
export type NextStep =
  /** Already settled (a crash between store and ack, or a duplicate entry of the same id): only XACK. */
  | { step: "ack"; why: "settled" | "duplicate" }
  /** Start attempt n: a new job. */
  | { step: "start"; attempt: number }
  /** A job is (or should be) running: look at it. */
  | { step: "check"; jobId: string; attempt: number }
  /** Backing off after a failure: nothing before `until`. */
  | { step: "wait"; until: number }
  /** No attempts left (the limit was lowered since the last failure). */
  | { step: "dead_letter" };

/** Decides a record's next step from its hash (the hash belongs to `entryId`). */
export function nextStep(state: RecordState, entryId: string | undefined, now: number, maxAttempts: number): NextStep {
  if (entryId !== undefined && state.entryId !== undefined && state.entryId !== entryId) return { step: "ack", why: "duplicate" };
  if (state.status === "done" || state.status === "dead_lettered") return { step: "ack", why: "settled" };
  if (state.status === "running" && state.jobId) return { step: "check", jobId: state.jobId, attempt: state.attempts };
  if (state.status === "failed" && state.nextAttemptAt !== undefined && state.nextAttemptAt > now) return { step: "wait", until: state.nextAttemptAt };
  if (state.attempts - state.attemptsBase >= maxAttempts) return { step: "dead_letter" };
  return { step: "start", attempt: state.attempts + 1 };
}

/** True when a failed attempt was the record's last. */
export function attemptsExhausted(state: Pick<RecordState, "attempts" | "attemptsBase">, maxAttempts: number): boolean {
  return state.attempts - state.attemptsBase >= maxAttempts;
}

/**
 * Delay before attempt `failedAttempt + 1`: base·2^(failedAttempt-1) capped at max, with equal
 * jitter (half fixed, half random), so retries of many records spread out instead of arriving together.
 */
export function backoffDelayMs(failedAttempt: number, backoff: EnrichBackoff, random: () => number = Math.random): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** The error list with one attempt's error added (an attempt already listed — two overlapping runs — is not added twice). */
export function withError(errors: EnrichError[], error: EnrichError): EnrichError[] {
  return errors.some((known) => known.attempt === error.attempt && error.attempt > 0) ? errors : [...errors, error];
}
