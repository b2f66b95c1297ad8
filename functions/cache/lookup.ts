// lookup(): skip rules → exact match in Redis and, in parallel, embedding + vector query in the
// tenant's namespace (same scope) → threshold + verifier → payload from Redis. The whole lookup runs within
// budgets.lookupMs; whatever fails or is slow ends it as a MISS with the reason (fail-open).
import type { CacheControl, CacheLookupResult, ChatCompletionRequest } from "@llm-edge/shared";
import { Deadline, isFailOpenReason, step, type StepResult } from "./budget";
import type { CacheDeps, CallContext } from "./deps";
import { parseEntry } from "./entry";
import { tenantId, tenantKeys, vectorId, type TenantKeys } from "./keys";
import { removeEntries, type EntryRef } from "./removal";
import { describeQuery, type CacheQuery } from "./scope";
import { searchCandidates, selectCandidates, type Candidate, type SearchResult } from "./semantic";
import { bypassReason } from "./skip";
import { countEvents, type StatField } from "./stats";
import { thresholdFor } from "./ttl";

export interface LookupInput extends CallContext {
  request: ChatCompletionRequest;
  control?: CacheControl | undefined;
}

export interface LookupOutcome {
  result: CacheLookupResult;
  /** Stats and cleanup of expired entries: hand to ctx.waitUntil. Never rejects. */
  background: Promise<void>;
}

interface Found {
  result: CacheLookupResult;
  /** Expired or broken entries met on the way. */
  stale: EntryRef[];
  rejectedByVerifier: boolean;
}

const miss = (reason: string): CacheLookupResult => ({ status: "MISS", reason });

function refOf(candidate: Candidate): EntryRef {
  return { key: candidate.metadata.key, vectorId: candidate.id, modelId: candidate.metadata.model };
}

/**
 * The semantic search for a query: embedding (when the embedder is not Upstash's own) and the
 * vector query. Started together with the exact GET, so a miss costs one round trip, not two.
 */
async function searchSemantic(deps: CacheDeps, call: CallContext, keys: TenantKeys, query: CacheQuery, deadline: Deadline): Promise<StepResult<SearchResult>> {
  const embedded = await step("embedding", deadline, () => deps.embedder.embed(query.text, call));
  if (!embedded.ok) return embedded;
  return searchCandidates(deps, keys.namespace, query.scope, embedded.value, deadline);
}

/**
 * The exact path and the semantic one at once: the exact GET and the vector query run in parallel,
 * and an exact hit answers without waiting for the vector query (left to finish within the
 * budget). `stale` collects what should be deleted.
 */
async function find(deps: CacheDeps, call: CallContext, keys: TenantKeys, query: CacheQuery, deadline: Deadline): Promise<Found> {
  const now = deps.now();
  const exactKey = keys.payload(query.modelId, query.scope, query.queryHash);
  const stale: EntryRef[] = [];
  const exactGet = step("redis", deadline, () => deps.redis.get<unknown>(exactKey));
  const semantic = query.semantic ? searchSemantic(deps, call, keys, query, deadline) : undefined;
  const exact = await exactGet;
  if (!exact.ok) return { result: miss(exact.reason), stale, rejectedByVerifier: false };
  if (exact.value !== null) {
    const entry = parseEntry(exact.value);
    if (entry && entry.expiresAt > now) {
      return { result: { status: "HIT", kind: "exact", completion: entry.completion, similarity: 1, key: exactKey }, stale, rejectedByVerifier: false };
    }
    stale.push({ key: exactKey, vectorId: vectorId(query.scope, query.queryHash), modelId: query.modelId });
  }
  const nothing = (reason: string, rejected = false): Found => ({ result: miss(reason), stale, rejectedByVerifier: rejected });
  if (!semantic) return nothing(stale.length > 0 ? "expired" : "no_match");

  const search = await semantic;
  if (!search.ok) return nothing(search.reason);
  for (const id of search.value.invalid) stale.push({ vectorId: id });
  const selection = selectCandidates(search.value.candidates, query.text, thresholdFor(deps.config, query.model), deps.config.verifier, now);
  stale.push(...selection.expired.map(refOf));
  const rejected = selection.rejected.length > 0;
  if (selection.accepted.length === 0) return nothing(rejected ? "verifier_rejected" : stale.length > 0 ? "expired" : "no_match", rejected);

  const payloads = await step("redis", deadline, () => deps.redis.mget<unknown[]>(...selection.accepted.map((candidate) => candidate.metadata.key)));
  if (!payloads.ok) return nothing(payloads.reason, rejected);
  for (const [i, candidate] of selection.accepted.entries()) {
    const entry = parseEntry(payloads.value[i]);
    if (entry && entry.expiresAt > now) {
      const similarity = Math.round(candidate.similarity * 10_000) / 10_000;
      return { result: { status: "HIT", kind: "semantic", completion: entry.completion, similarity, key: candidate.metadata.key }, stale, rejectedByVerifier: rejected };
    }
    stale.push(refOf(candidate));
  }
  return nothing("expired", rejected);
}

function statFields(result: CacheLookupResult, rejectedByVerifier: boolean): StatField[] {
  const fields: StatField[] = [];
  if (result.status === "HIT") fields.push(result.kind === "exact" ? "exactHits" : "semanticHits");
  else if (result.status === "BYPASS") fields.push("bypasses");
  else {
    fields.push("misses");
    if (isFailOpenReason(result.reason)) fields.push("failOpen");
  }
  if (rejectedByVerifier) fields.push("rejectedByVerifier");
  return fields;
}

/**
 * Looks a chat request up in the tenant's cache. Never throws and never waits past
 * budgets.lookupMs: a slow or failing Redis, Vector or embedder gives a MISS whose reason names it
 * ("redis_timeout", "vector_unavailable", …). Stats and the removal of expired entries found on the
 * way are returned as `background` for ctx.waitUntil.
 */
export async function lookup(deps: CacheDeps, input: LookupInput): Promise<LookupOutcome> {
  const keys = tenantKeys(deps.keyPrefix, deps.config.namespacePrefix, await tenantId(input.tenant));
  const log = deps.log.with({ tenant: input.tenant });
  const finish = (found: Found): LookupOutcome => {
    const { result } = found;
    if (result.status === "MISS" && isFailOpenReason(result.reason)) log.warn("cache lookup failed open", { reason: result.reason });
    const cleanup = found.stale.length > 0 ? removeEntries(deps, keys, found.stale, new Deadline(deps.config.budgets.storeMs)) : undefined;
    const background = Promise.all([countEvents(deps, keys, statFields(result, found.rejectedByVerifier)), cleanup]).then(
      () => undefined,
      (error: unknown) => log.warn("cache background work failed", { error }),
    );
    return { result, background };
  };

  const bypass = bypassReason(deps.config, input.request, input.control);
  if (bypass) return finish({ result: { status: "BYPASS", reason: bypass }, stale: [], rejectedByVerifier: false });
  const described = await describeQuery(deps.config, input.request);
  if (!described.ok) return finish({ result: { status: "BYPASS", reason: described.reason }, stale: [], rejectedByVerifier: false });
  const deadline = new Deadline(deps.config.budgets.lookupMs);
  try {
    return finish(await find(deps, input, keys, described.query, deadline));
  } catch (error) {
    log.error("cache lookup failed unexpectedly", { error });
    return finish({ result: miss("internal_error"), stale: [], rejectedByVerifier: false });
  }
}
