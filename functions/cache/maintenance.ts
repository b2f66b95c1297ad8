// maintenance() (cron): delete the expired vectors of every cache namespace with one delete-by-filter
// (`expiresAt < now`) per namespace. Expired Redis payloads go by their own TTL.
import { Deadline, step } from "./budget";
import type { CacheDeps } from "./deps";

/** Removes vectors past their expiresAt in all namespaces under config.namespacePrefix. Never throws. */
export async function removeExpiredVectors(deps: CacheDeps): Promise<{ expiredRemoved: number; reason?: string }> {
  const deadline = new Deadline(deps.config.budgets.adminMs);
  const namespaces = await step("vector", deadline, () => deps.vector.listNamespaces());
  if (!namespaces.ok) return { expiredRemoved: 0, reason: namespaces.reason };
  const now = deps.now();
  let expiredRemoved = 0;
  for (const namespace of namespaces.value.filter((name) => name.startsWith(deps.config.namespacePrefix))) {
    const removed = await step("vector", deadline, () => deps.vector.namespace(namespace).delete({ filter: `expiresAt < ${now}` }));
    if (!removed.ok) {
      deps.log.warn("cache maintenance incomplete", { namespace, reason: removed.reason, error: removed.error });
      return { expiredRemoved, reason: removed.reason };
    }
    expiredRemoved += removed.value.deleted;
  }
  return { expiredRemoved };
}
