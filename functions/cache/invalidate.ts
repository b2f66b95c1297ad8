// invalidate(): remove a tenant's entries — all of them, those of one model alias, or the one a
// lookup of a given request would hit (its exact entry and its semantic match).
import { ChatCompletionRequestSchema, type CacheInvalidateRequest } from "@llm-edge/shared";
import { Deadline, step, type StepResult } from "./budget";
import type { CacheDeps, CallContext } from "./deps";
import { modelId, tenantId, tenantKeys, vectorId, type TenantKeys } from "./keys";
import { removeEntries, type EntryRef, type RemovalResult } from "./removal";
import { describeQuery } from "./scope";
import { searchCandidates, selectCandidates } from "./semantic";
import { thresholdFor } from "./ttl";

export type InvalidateInput = CallContext & CacheInvalidateRequest;

/** Payload keys of the given models, from their indexes. */
async function keysOfModels(deps: CacheDeps, keys: TenantKeys, models: readonly string[], deadline: Deadline): Promise<StepResult<string[]>> {
  return step("redis", deadline, async () => {
    if (models.length === 0) return [];
    const pipeline = deps.redis.pipeline();
    for (const model of models) pipeline.zrange(keys.modelIndex(model), 0, -1);
    const lists = await pipeline.exec<string[][]>();
    return lists.flat();
  });
}

/** Deletes payloads, then the model indexes and their vectors (by model filter, or the whole namespace). */
async function removeModels(deps: CacheDeps, keys: TenantKeys, models: readonly string[], everything: boolean, deadline: Deadline): Promise<RemovalResult> {
  const listed = await keysOfModels(deps, keys, models, deadline);
  if (!listed.ok) return { deleted: 0, reason: listed.reason };
  const payloads = listed.value;
  const redis = await step("redis", deadline, async () => {
    let deleted = 0;
    for (let i = 0; i < payloads.length; i += 500) deleted += await deps.redis.del(...payloads.slice(i, i + 500));
    const indexes = [...models.map((model) => keys.modelIndex(model)), ...(everything ? [keys.models] : [])];
    if (indexes.length > 0) await deps.redis.del(...indexes);
    if (!everything && models.length > 0) await deps.redis.srem(keys.models, ...models);
    return deleted;
  });
  if (!redis.ok) return { deleted: 0, reason: redis.reason };
  const namespace = deps.vector.namespace(keys.namespace);
  const vectors = everything
    ? await step("vector", deadline, () => namespace.reset())
    : await step("vector", deadline, () => Promise.all(models.map((model) => namespace.delete({ filter: `model = '${model}'` }))));
  return vectors.ok ? { deleted: redis.value } : { deleted: redis.value, reason: vectors.reason };
}

/** The exact entry of a request and the semantic match a lookup would return. */
async function removeRequest(deps: CacheDeps, call: CallContext, keys: TenantKeys, raw: unknown, deadline: Deadline): Promise<RemovalResult> {
  const parsed = ChatCompletionRequestSchema.safeParse(raw);
  if (!parsed.success) return { deleted: 0, reason: "invalid_request" };
  const described = await describeQuery(deps.config, parsed.data);
  if (!described.ok) return { deleted: 0, reason: described.reason };
  const query = described.query;
  const targets: EntryRef[] = [{ key: keys.payload(query.modelId, query.scope, query.queryHash), modelId: query.modelId, vectorId: vectorId(query.scope, query.queryHash) }];
  if (query.semantic) {
    const embedded = await step("embedding", deadline, () => deps.embedder.embed(query.text, call));
    if (!embedded.ok) return { ...(await removeEntries(deps, keys, targets, deadline)), reason: embedded.reason };
    const search = await searchCandidates(deps, keys.namespace, query.scope, embedded.value, deadline);
    if (!search.ok) return { ...(await removeEntries(deps, keys, targets, deadline)), reason: search.reason };
    const selection = selectCandidates(search.value.candidates, query.text, thresholdFor(deps.config, query.model), deps.config.verifier, deps.now());
    const match = selection.accepted[0];
    if (match) targets.push({ key: match.metadata.key, modelId: match.metadata.model, vectorId: match.id });
  }
  return removeEntries(deps, keys, targets, deadline);
}

/**
 * Removes entries of the caller's tenant: `all`, else those of `model` and/or the entry for
 * `request`. Resolves with the number of payloads deleted and, when Redis or Vector failed part
 * way, the reason. Never throws.
 */
export async function invalidate(deps: CacheDeps, input: InvalidateInput): Promise<RemovalResult> {
  const keys = tenantKeys(deps.keyPrefix, deps.config.namespacePrefix, await tenantId(input.tenant));
  const deadline = new Deadline(deps.config.budgets.adminMs);
  if (input.all) {
    const models = await step("redis", deadline, () => deps.redis.smembers(keys.models));
    if (!models.ok) return { deleted: 0, reason: models.reason };
    return removeModels(deps, keys, models.value, true, deadline);
  }
  const results: RemovalResult[] = [];
  if (input.model !== undefined) results.push(await removeModels(deps, keys, [await modelId(input.model)], false, deadline));
  if (input.request !== undefined) results.push(await removeRequest(deps, input, keys, input.request, deadline));
  const reason = results.find((result) => result.reason !== undefined)?.reason;
  return { deleted: results.reduce((sum, result) => sum + result.deleted, 0), ...(reason ? { reason } : {}) };
}
