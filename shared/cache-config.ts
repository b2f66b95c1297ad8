// Semantic cache settings (PLATFORM_CONFIG.cache): threshold, TTL, skip rules, embedding, hit
// verification, time budgets. Owned by the cache Worker; `{}` gives the defaults (docs/cache.md).
import { z } from "zod";

/** Where query vectors come from. One setting; the index's dimension must match the model's. */
export const CacheEmbeddingSchema = z.discriminatedUnion("provider", [
  /** Upstash Vector embeds `data` itself (an index created with an embedding model). */
  z.object({ provider: z.literal("upstash") }),
  /** Workers AI through an `AI` binding on the cache Worker. */
  z.object({ provider: z.literal("workers-ai"), model: z.string().min(1).default("@cf/baai/bge-base-en-v1.5") }),
  /** The gateway's embeddings RPC (service binding GATEWAY) with one of its model aliases. */
  z.object({ provider: z.literal("gateway"), model: z.string().min(1) }),
]);
export type CacheEmbedding = z.infer<typeof CacheEmbeddingSchema>;

/** The second stage: a candidate above the threshold is still rejected when the queries differ in what matters. */
export const CacheVerifierSchema = z.object({
  enabled: z.boolean().default(true),
  /** Numbers and codes must be the same ("5 km" vs "50 km", "S6" vs "S7"). */
  numbers: z.boolean().default(true),
  /** Capitalised names must appear in both ("Turkey" vs "Nepal"). */
  entities: z.boolean().default(true),
  /** Both negated or neither. */
  negation: z.boolean().default(true),
  /** The same grammatical persons: "my account" is not "your account", "I" is not "we". */
  persons: z.boolean().default(true),
  /** Content words at least this rare (IDF band, functions/cache/word-idf.ts; 13 = unknown words only; 0 = off) must appear in both. */
  rareWordIdf: z.number().min(0).max(13).default(9),
  /** Cross-check: share of IDF-weighted content words the two queries have in common (0..1; 0 = off). */
  minWeightedOverlap: z.number().min(0).max(1).default(0.8),
});
export type CacheVerifier = z.infer<typeof CacheVerifierSchema>;

/** Per model alias: turn caching off, or use another threshold or TTL. */
export const CacheModelOverrideSchema = z.object({
  enabled: z.boolean().optional(),
  threshold: z.number().min(0).max(1).optional(),
  ttlSeconds: z.number().int().positive().optional(),
});

export const CacheBudgetsSchema = z.object({
  /** Whole lookup (exact GET, embedding, vector query, payload GET); past it the lookup is a MISS. */
  lookupMs: z.number().int().positive().default(150),
  /** Store (runs in the background after the answer was sent). */
  storeMs: z.number().int().positive().default(2_000),
  /** invalidate, stats, maintenance. */
  adminMs: z.number().int().positive().default(10_000),
});

export const CacheConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /**
   * Minimum cosine similarity of a semantic hit (Upstash reports (1 + cos) / 2; the cache converts).
   * 0.94 is where the QQP evaluation (bench/semantic-cache.bench.ts) first reaches precision 0.95
   * with the verifier on and the offline USE-lite model; re-run it for another embedding model.
   */
  threshold: z.number().min(0).max(1).default(0.94),
  ttlSeconds: z.number().int().positive().default(86_400),
  /** Requests with a higher temperature are not cached (creative answers should vary). */
  maxTemperature: z.number().min(0).max(2).default(1),
  /** Candidates fetched per semantic lookup; the best one that passes verification wins. */
  candidates: z.number().int().min(1).max(20).default(3),
  /** Longer last user messages (documents, pasted code) are cached by exact match only. */
  maxSemanticQueryChars: z.number().int().positive().default(2_000),
  /** Vector namespace of a tenant: prefix + tenant. */
  namespacePrefix: z.string().default("cache-"),
  embedding: CacheEmbeddingSchema.default({ provider: "upstash" }),
  verifier: CacheVerifierSchema.prefault({}),
  budgets: CacheBudgetsSchema.prefault({}),
  /** By model alias. */
  models: z.record(z.string(), CacheModelOverrideSchema).default({}),
});
export type CacheConfig = z.infer<typeof CacheConfigSchema>;

/**
 * True when the cache serves this model alias: its own `enabled` setting wins over the global one.
 * The cache Worker bypasses a disabled alias; the pipeline reads it to skip the cache calls entirely.
 */
export function cacheEnabledFor(config: CacheConfig, model: string): boolean {
  return Object.hasOwn(config.models, model) ? (config.models[model]?.enabled ?? config.enabled) : config.enabled;
}
