// The stored shapes: the payload in Redis (the answer and what it was an answer to) and the vector
// metadata that points to it. Both are validated when read; anything else counts as missing.
import { ChatCompletionSchema } from "@llm-edge/shared";
import { z } from "zod";

export const CachedEntrySchema = z.object({
  v: z.literal(1),
  completion: ChatCompletionSchema,
  /** The last user message it answered (raw), for logs and verification. */
  query: z.string(),
  model: z.string(),
  storedAt: z.number(),
  expiresAt: z.number(),
});
export type CachedEntry = z.infer<typeof CachedEntrySchema>;

export const VectorMetadataSchema = z.object({
  /** Redis payload key. */
  key: z.string(),
  scope: z.string(),
  /** Model id (keys.ts modelId), for invalidation by model. */
  model: z.string(),
  expiresAt: z.number(),
  query: z.string(),
});
export type VectorMetadata = z.infer<typeof VectorMetadataSchema>;

/**
 * Reads a payload as returned by @upstash/redis (already JSON-parsed, or a string when automatic
 * deserialisation could not parse it). Undefined when absent or not a valid entry.
 */
export function parseEntry(raw: unknown): CachedEntry | undefined {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const parsed = CachedEntrySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
