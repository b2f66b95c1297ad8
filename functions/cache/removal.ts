// Removing entries: the Redis payloads, their index members and their vectors. Used for expired or
// broken entries found by a lookup (in the background) and by invalidation.
import { step, type Deadline } from "./budget";
import type { CacheDeps } from "./deps";
import type { TenantKeys } from "./keys";

export interface EntryRef {
  vectorId: string;
  /** Redis payload key and model id; absent for a vector whose metadata is unreadable. */
  key?: string | undefined;
  modelId?: string | undefined;
}

export interface RemovalResult {
  /** Payloads that existed and were deleted. */
  deleted: number;
  /** Set when Redis or Vector failed; what came before still happened. */
  reason?: string;
}

/** Deletes the payloads (with their index members) and the vectors of these entries. */
export async function removeEntries(deps: CacheDeps, keys: TenantKeys, entries: readonly EntryRef[], deadline: Deadline): Promise<RemovalResult> {
  if (entries.length === 0) return { deleted: 0 };
  const withPayload = entries.filter((entry): entry is Required<EntryRef> => entry.key !== undefined && entry.modelId !== undefined);
  const payloads = [...new Set(withPayload.map((entry) => entry.key))];
  const redis = await step("redis", deadline, async () => {
    if (payloads.length === 0) return 0;
    const pipeline = deps.redis.pipeline();
    pipeline.del(...payloads);
    for (const entry of withPayload) pipeline.zrem(keys.modelIndex(entry.modelId), entry.key);
    const [deleted] = await pipeline.exec<[number, ...unknown[]]>();
    return deleted;
  });
  const vector = await step("vector", deadline, () => deps.vector.namespace(keys.namespace).delete([...new Set(entries.map((entry) => entry.vectorId))]));
  const deleted = redis.ok ? redis.value : 0;
  const failure = !redis.ok ? redis : !vector.ok ? vector : undefined;
  if (failure) {
    deps.log.warn("cache entries not fully removed", { reason: failure.reason, error: failure.error, entries: entries.length });
    return { deleted, reason: failure.reason };
  }
  return { deleted };
}
