// The cache Worker's RPC contract: lookup before the gateway, store after a clean answer, invalidation,
// stats and maintenance. A lookup never throws and never waits past its budget (fail-open).
import { z } from "zod";
import type { ChatCompletion, ChatCompletionRequest } from "./openai";
import type { RpcContext } from "./rpc";

/** Per-request control from the x-gateway-cache-control header. */
export const CacheControlSchema = z.object({
  /** Do not store this answer (a lookup still happens). */
  noStore: z.boolean().default(false),
  /** Skip the lookup and store the fresh answer (overwriting). */
  refresh: z.boolean().default(false),
});
export type CacheControl = z.infer<typeof CacheControlSchema>;

export type CacheLookupResult =
  | { status: "HIT"; kind: "exact" | "semantic"; completion: ChatCompletion; similarity?: number; key: string }
  /** MISS: looked and found nothing usable; BYPASS: did not look (skip rule, refresh) — `reason` says which. */
  | { status: "MISS" | "BYPASS"; reason: string };

export const CacheInvalidateRequestSchema = z
  .object({
    /** Remove everything of the caller's tenant. */
    all: z.boolean().optional(),
    /** Remove the entries of one model alias. */
    model: z.string().min(1).optional(),
    /** Remove the entry a lookup would hit for this exact request. */
    request: z.unknown().optional(),
  })
  .refine((value) => Boolean(value.all) || value.model !== undefined || value.request !== undefined, "give one of all, model or request");
export type CacheInvalidateRequest = z.infer<typeof CacheInvalidateRequestSchema>;

export const CacheStatsSchema = z.object({
  hits: z.number().int(),
  exactHits: z.number().int(),
  semanticHits: z.number().int(),
  misses: z.number().int(),
  bypasses: z.number().int(),
  stores: z.number().int(),
  failOpen: z.number().int(),
  rejectedByVerifier: z.number().int(),
  entries: z.number().int().optional(),
  /** Set when the counters could not be read (e.g. "redis_unavailable"); the numbers are then zeros. */
  reason: z.string().optional(),
});
export type CacheStats = z.infer<typeof CacheStatsSchema>;

export interface CacheCallRpc {
  lookup(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; control?: CacheControl }): Promise<CacheLookupResult>;
  /** Stores a clean, complete answer (the skip rules are applied here too). Resolves with whether it stored. */
  store(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; completion: ChatCompletion; control?: CacheControl }): Promise<{ stored: boolean; reason?: string }>;
  /** `reason` is set when the invalidation could not finish (Redis or Vector unavailable); `deleted` counts what went before. */
  invalidate(context: RpcContext, input: { tenant: string } & CacheInvalidateRequest): Promise<{ deleted: number; reason?: string }>;
  stats(context: RpcContext, input: { tenant: string }): Promise<CacheStats>;
  /** Removes expired vectors (cron). */
  maintenance(context: RpcContext): Promise<{ expiredRemoved: number; reason?: string }>;
}
