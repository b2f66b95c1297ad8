// Enrichment wire formats: what POST /v1/enrich and POST /v1/events accept, the fields of an intake
// stream entry (the same whether the edge or a producer XADDs it), the record statuses and what
// GET /v1/enrich/:id returns. The edge validates with these; the consumer re-validates every entry.
import { z } from "zod";

/** A caller-chosen record id: also the idempotency key of intake (the same id is accepted once). */
export const RecordIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, "1-100 characters: letters, digits, '_', '.', ':' and '-', starting with a letter or digit");

const MetadataSchema = z.record(z.string(), z.string().max(500)).refine((value) => Object.keys(value).length <= 20, { message: "at most 20 metadata keys" });

/** One record to enrich: its text, and optionally its id, template and metadata. */
export const EnrichRecordInputSchema = z.strictObject({
  id: RecordIdSchema.optional(),
  text: z.string().min(1).max(20_000),
  /** A template of PLATFORM_CONFIG.enrichment.templates; "default" when absent. */
  template: z.string().min(1).max(40).optional(),
  metadata: MetadataSchema.optional(),
});
export type EnrichRecordInput = z.infer<typeof EnrichRecordInputSchema>;

/** POST /v1/enrich: one record, or `{records: [...]}` with up to 100. */
export const EnrichRequestSchema = z.union([z.strictObject({ records: z.array(EnrichRecordInputSchema).min(1).max(100) }), EnrichRecordInputSchema]);
export type EnrichRequest = z.infer<typeof EnrichRequestSchema>;

/** One event: a type (routed to a template by PLATFORM_CONFIG.enrichment.events) and its data. */
export const EventInputSchema = z.strictObject({
  id: RecordIdSchema.optional(),
  type: z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/, "1-80 characters: letters, digits, '_', '.', ':' and '-'"),
  data: z.union([z.string().min(1).max(20_000), z.record(z.string(), z.unknown())]),
  metadata: MetadataSchema.optional(),
});
export type EventInput = z.infer<typeof EventInputSchema>;

/** POST /v1/events: one event, or `{events: [...]}` with up to 100. */
export const EventRequestSchema = z.union([z.strictObject({ events: z.array(EventInputSchema).min(1).max(100) }), EventInputSchema]);
export type EventRequest = z.infer<typeof EventRequestSchema>;

/**
 * An intake stream entry's fields. `kind` says which body follows; `body` is the record or event as
 * JSON (an `id` is optional for producers that XADD directly: the entry id then names the record);
 * `at` is the enqueue time in epoch ms (optional; the entry id's time otherwise).
 */
export const IntakeEntrySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("record"), body: EnrichRecordInputSchema, at: z.number().int().nonnegative().optional() }),
  z.object({ kind: z.literal("event"), body: EventInputSchema, at: z.number().int().nonnegative().optional() }),
]);
export type IntakeEntry = z.infer<typeof IntakeEntrySchema>;

/**
 * queued: waiting for its first attempt; running: a job is working on it; failed: the last attempt
 * failed and the next waits for its backoff; done: the result is stored; dead_lettered: given up.
 */
export const EnrichStatusSchema = z.enum(["queued", "running", "failed", "done", "dead_lettered"]);
export type EnrichStatus = z.infer<typeof EnrichStatusSchema>;

/** One failed attempt (or the reason a record could not be read at all, attempt 0). */
export interface EnrichError {
  attempt: number;
  message: string;
  at: number;
}

/** One branch's answer: the text, and for JSON branches the parsed value (it conformed to the schema). */
export interface EnrichBranchResult {
  text: string;
  json?: unknown;
}

/** What an enrichment produced: each branch's answer by branch name, with the job that produced it. */
export interface EnrichResult {
  jobId: string;
  branches: Record<string, EnrichBranchResult>;
  costUsd: number;
  tokens: number;
}

/** GET /v1/enrich/:id (and /v1/events/:id). */
export interface EnrichRecordView {
  id: string;
  object: "enrichment.record";
  kind: "record" | "event";
  /** The event's type, for events. */
  type?: string;
  template?: string;
  status: EnrichStatus;
  attempts: number;
  jobId?: string;
  enqueuedAt?: number;
  updatedAt?: number;
  finishedAt?: number;
  /** While `failed`: when the next attempt may start. */
  nextAttemptAt?: number;
  result?: EnrichResult;
  /** Why it was dead-lettered. */
  reason?: string;
  errors: EnrichError[];
}
