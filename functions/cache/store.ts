// store(): after a clean answer, write the payload to Redis with its TTL (this alone makes the
// exact path work), register it in the per-model index, then upsert the vector that points to it.
// Runs in the background within budgets.storeMs; a failure is a reason, not an exception.
import type { CacheControl, ChatCompletion, ChatCompletionRequest } from "@llm-edge/shared";
import { Deadline, step } from "./budget";
import type { CacheDeps, CallContext } from "./deps";
import type { CachedEntry, VectorMetadata } from "./entry";
import { tenantId, tenantKeys, vectorId } from "./keys";
import { describeQuery } from "./scope";
import { bypassReason, completionSkipReason } from "./skip";
import { maxTtlSeconds, ttlSecondsFor } from "./ttl";

export interface StoreInput extends CallContext {
  request: ChatCompletionRequest;
  completion: ChatCompletion;
  control?: CacheControl | undefined;
}

/** `stored` with a `reason` means: kept for exact match only (the vector write failed). */
export interface StoreOutcome {
  stored: boolean;
  reason?: string;
}

/**
 * Stores a complete answer for the request, applying the skip rules again (no-store, n > 1,
 * temperature, filtered/refused/tool-call/incomplete answers). Overwrites an entry with the same
 * scope and normalised query (that is how `refresh` replaces one).
 */
export async function store(deps: CacheDeps, input: StoreInput): Promise<StoreOutcome> {
  if (input.control?.noStore) return { stored: false, reason: "no_store" };
  const skip = bypassReason(deps.config, input.request) ?? completionSkipReason(input.completion);
  if (skip) return { stored: false, reason: skip };
  const described = await describeQuery(deps.config, input.request);
  if (!described.ok) return { stored: false, reason: described.reason };
  const query = described.query;
  const keys = tenantKeys(deps.keyPrefix, deps.config.namespacePrefix, await tenantId(input.tenant));
  const log = deps.log.with({ tenant: input.tenant });
  const deadline = new Deadline(deps.config.budgets.storeMs);
  const now = deps.now();
  const ttlMs = ttlSecondsFor(deps.config, query.model) * 1000;
  const expiresAt = now + ttlMs;
  const key = keys.payload(query.modelId, query.scope, query.queryHash);
  const entry: CachedEntry = { v: 1, completion: input.completion, query: query.text, model: query.model, storedAt: now, expiresAt };
  const indexTtlMs = maxTtlSeconds(deps.config) * 1000;

  const written = await step("redis", deadline, async () => {
    const pipeline = deps.redis.pipeline();
    pipeline.set(key, JSON.stringify(entry), { px: ttlMs });
    pipeline.zadd(keys.modelIndex(query.modelId), { score: expiresAt, member: key });
    pipeline.zremrangebyscore(keys.modelIndex(query.modelId), 0, now);
    pipeline.pexpire(keys.modelIndex(query.modelId), indexTtlMs);
    pipeline.sadd(keys.models, query.modelId);
    pipeline.pexpire(keys.models, indexTtlMs);
    pipeline.hincrby(keys.stats, "stores", 1);
    await pipeline.exec();
  });
  if (!written.ok) {
    log.warn("cache store failed", { reason: written.reason, error: written.error });
    return { stored: false, reason: written.reason };
  }
  if (!query.semantic) return { stored: true };

  const embedded = await step("embedding", deadline, () => deps.embedder.embed(query.text, input));
  const metadata: VectorMetadata = { key, scope: query.scope, model: query.modelId, expiresAt, query: query.text };
  const upserted = embedded.ok
    ? await step("vector", deadline, () => deps.vector.namespace(keys.namespace).upsert({ id: vectorId(query.scope, query.queryHash), ...embedded.value, metadata }))
    : embedded;
  if (!upserted.ok) {
    log.warn("cache entry stored for exact match only", { reason: upserted.reason, error: upserted.error });
    return { stored: true, reason: upserted.reason };
  }
  return { stored: true };
}
