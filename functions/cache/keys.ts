// Where a tenant's cache lives: its Upstash Vector namespace and its Redis keys (payloads, the
// per-model index of live entries, the list of models, the stats hash). All under REDIS_KEY_PREFIX.
import { sha256Hex } from "./hash";

const SAFE_TENANT = /^[A-Za-z0-9_.-]{1,64}$/;

/** A tenant as it appears in keys and namespace names: itself when it is plain, else a hash. */
export async function tenantId(tenant: string): Promise<string> {
  return SAFE_TENANT.test(tenant) ? tenant : `t-${await sha256Hex(tenant, 32)}`;
}

/** A model alias as it appears in keys and vector metadata (hex, so filters need no quoting). */
export function modelId(model: string): Promise<string> {
  return sha256Hex(`model:${model}`, 16);
}

export interface TenantKeys {
  /** Vector namespace of the tenant. */
  namespace: string;
  stats: string;
  /** Set of the model ids the tenant has entries for. */
  models: string;
  /** Sorted set of a model's payload keys, scored by expiresAt (ms). */
  modelIndex(model: string): string;
  /** The payload (and exact-match) key of one entry. */
  payload(model: string, scope: string, queryHash: string): string;
}

/** The keys of one tenant; `keyPrefix` is REDIS_KEY_PREFIX, `namespacePrefix` the config's. */
export function tenantKeys(keyPrefix: string, namespacePrefix: string, id: string): TenantKeys {
  const root = `${keyPrefix}cache:${id}:`;
  return {
    namespace: `${namespacePrefix}${id}`,
    stats: `${root}stats`,
    models: `${root}models`,
    modelIndex: (model) => `${root}m:${model}:index`,
    payload: (model, scope, queryHash) => `${root}m:${model}:e:${scope}:${queryHash}`,
  };
}

/** The vector id of an entry, unique within the tenant's namespace. */
export function vectorId(scope: string, queryHash: string): string {
  return `${scope}:${queryHash}`;
}
