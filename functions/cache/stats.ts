// Per-tenant counters in a Redis hash: hits (exact, semantic), misses, bypasses, stores, fail-open
// events and verifier rejections. Counting is background work and never fails a request.
import type { CacheStats } from "@llm-edge/shared";
import { Deadline, step } from "./budget";
import type { CacheDeps } from "./deps";
import type { TenantKeys } from "./keys";

export type StatField = "exactHits" | "semanticHits" | "misses" | "bypasses" | "stores" | "failOpen" | "rejectedByVerifier";

const FIELDS: StatField[] = ["exactHits", "semanticHits", "misses", "bypasses", "stores", "failOpen", "rejectedByVerifier"];

/** Adds one to each field (one pipelined round trip). Resolves even when Redis is down. */
export async function countEvents(deps: CacheDeps, keys: TenantKeys, fields: readonly StatField[]): Promise<void> {
  if (fields.length === 0) return;
  const result = await step("redis", new Deadline(deps.config.budgets.storeMs), async () => {
    const pipeline = deps.redis.pipeline();
    for (const field of fields) pipeline.hincrby(keys.stats, field, 1);
    await pipeline.exec();
  });
  if (!result.ok) deps.log.warn("cache stats not counted", { reason: result.reason, error: result.error, fields });
}

function toCount(value: unknown): number {
  const count = Number(value ?? 0);
  return Number.isFinite(count) ? Math.trunc(count) : 0;
}

/**
 * The tenant's counters and the number of live entries (the per-model indexes, expired members
 * pruned first). With Redis unavailable: zeros and `reason`.
 */
export async function readStats(deps: CacheDeps, keys: TenantKeys): Promise<CacheStats> {
  const now = deps.now();
  const result = await step("redis", new Deadline(deps.config.budgets.adminMs), async () => {
    const [counters, models] = await Promise.all([deps.redis.hgetall<Record<string, unknown>>(keys.stats), deps.redis.smembers(keys.models)]);
    let entries = 0;
    if (models.length > 0) {
      const pipeline = deps.redis.pipeline();
      for (const model of models) {
        pipeline.zremrangebyscore(keys.modelIndex(model), 0, now);
        pipeline.zcard(keys.modelIndex(model));
      }
      const replies = await pipeline.exec<unknown[]>();
      entries = replies.filter((_, i) => i % 2 === 1).reduce<number>((sum, reply) => sum + toCount(reply), 0);
    }
    return { counters: counters ?? {}, entries };
  });
  const counters: Record<string, unknown> = result.ok ? result.value.counters : {};
  const counts = Object.fromEntries(FIELDS.map((field) => [field, toCount(counters[field])])) as Record<StatField, number>;
  return {
    ...counts,
    hits: counts.exactHits + counts.semanticHits,
    ...(result.ok ? { entries: result.value.entries } : { reason: result.reason }),
  };
}
