// Fail-open: with Redis or Vector stopped, or hung (accepting connections and never answering),
// lookups end as a MISS naming the cause within the lookup budget, stores report what they could
// not do, the exact path keeps working without Vector, and the stats count the fail-open events.
import { randomBytes } from "node:crypto";
import { redisFromEnv, vectorFromEnv, type ChatCompletionRequest } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisBridge } from "../../../dev/redis-bridge/server";
import { startVectorServer } from "../../../dev/vector-server/server";
import type { CacheDeps } from "../../../functions/cache/deps";
import { invalidate } from "../../../functions/cache/invalidate";
import { tenantId, tenantKeys } from "../../../functions/cache/keys";
import { lookup } from "../../../functions/cache/lookup";
import { removeExpiredVectors } from "../../../functions/cache/maintenance";
import { readStats } from "../../../functions/cache/stats";
import { store } from "../../../functions/cache/store";
import { CONTEXT, REDIS_URL, answer, chatRequest, startCacheHarness, startHungServer, startRecordingProxy, type CacheHarness } from "./harness";

const LOOKUP_BUDGET_MS = 150;
const BUDGETS = { lookupMs: LOOKUP_BUDGET_MS, storeMs: 2_000, adminMs: 10_000 };
/** Scheduling slack on a loaded test machine; the budget itself is what the cache enforces. */
const SLACK_MS = 100;

let harness: CacheHarness;
let hung: { url: string; close(): Promise<void> };

beforeAll(async () => {
  harness = await startCacheHarness();
  hung = await startHungServer();
});

afterAll(async () => {
  await hung?.close();
  await harness?.close();
});

const newTenant = () => `tenant-${randomBytes(4).toString("hex")}`;
const question = chatRequest("How do I reset my password?");
const paraphrase = chatRequest("How can I reset my password?");

/** The same dependencies with time to spare, for the steps before the failure. */
const roomy = (deps: CacheDeps): CacheDeps => ({ ...deps, config: { ...deps.config, budgets: { ...BUDGETS, lookupMs: 2_000 } } });

async function timedLookup(deps: CacheDeps, tenant: string, request: ChatCompletionRequest) {
  const started = performance.now();
  const outcome = await lookup(deps, { tenant, request, context: CONTEXT });
  const elapsedMs = performance.now() - started;
  await outcome.background;
  return { result: outcome.result, elapsedMs };
}

async function statsOf(deps: CacheDeps, tenant: string) {
  return readStats(deps, tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant)));
}

describe("Redis down", () => {
  it("a Redis bridge stopped mid-run: lookup MISS redis_unavailable within the budget; store, stats and invalidate say why", async () => {
    const token = `t-${randomBytes(4).toString("hex")}`;
    const bridge = await startRedisBridge({ port: 0, token, redisUrl: REDIS_URL });
    const tenant = newTenant();
    const withBridge: CacheDeps = { ...harness.deps({ config: { budgets: BUDGETS } }), redis: redisFromEnv({ UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token }) };
    expect(await store(withBridge, { tenant, request: question, completion: answer("Use the link."), context: CONTEXT })).toEqual({ stored: true });
    expect((await timedLookup(roomy(withBridge), tenant, question)).result).toMatchObject({ status: "HIT" });
    await bridge.close();

    const { result, elapsedMs } = await timedLookup(withBridge, tenant, question);
    expect(result).toEqual({ status: "MISS", reason: "redis_unavailable" });
    expect(elapsedMs).toBeLessThan(LOOKUP_BUDGET_MS + SLACK_MS);
    expect(await store(withBridge, { tenant, request: question, completion: answer("x"), context: CONTEXT })).toEqual({ stored: false, reason: "redis_unavailable" });
    expect(await statsOf(withBridge, tenant)).toMatchObject({ hits: 0, reason: "redis_unavailable" });
    expect(await invalidate(withBridge, { tenant, all: true, context: CONTEXT })).toEqual({ deleted: 0, reason: "redis_unavailable" });
    // The same keys through a live bridge: the entry is still there.
    expect((await timedLookup(harness.deps(), tenant, question)).result).toMatchObject({ status: "HIT", kind: "exact" });
  });

  it("a hung Redis: MISS redis_timeout within the lookup budget", async () => {
    const deps = harness.deps({ redisUrl: hung.url, config: { budgets: { ...BUDGETS, storeMs: 200 } } });
    const { result, elapsedMs } = await timedLookup(deps, newTenant(), question);
    expect(result).toEqual({ status: "MISS", reason: "redis_timeout" });
    expect(elapsedMs).toBeGreaterThanOrEqual(LOOKUP_BUDGET_MS - 5);
    expect(elapsedMs).toBeLessThan(LOOKUP_BUDGET_MS + SLACK_MS);
  });

  it("the vector query does not wait for the exact GET: with Redis hung, Vector is still asked once", async () => {
    const proxy = await startRecordingProxy(harness.vectorServer.url);
    try {
      const deps = harness.deps({ redisUrl: hung.url, vectorUrl: proxy.url, config: { budgets: { ...BUDGETS, storeMs: 200 } } });
      const tenant = newTenant();
      const { result } = await timedLookup(deps, tenant, paraphrase);
      expect(result).toEqual({ status: "MISS", reason: "redis_timeout" });
      const { namespace } = tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant));
      expect(proxy.paths).toEqual([`/query-data/${namespace}`]);
    } finally {
      await proxy.close();
    }
  });
});

describe("Vector down", () => {
  it("a Vector server stopped mid-run: the exact path still hits, a paraphrase is MISS vector_unavailable, counted as failOpen", async () => {
    const token = `v-${randomBytes(4).toString("hex")}`;
    const server = await startVectorServer({ port: 0, token });
    const deps: CacheDeps = { ...harness.deps({ config: { budgets: BUDGETS } }), vector: vectorFromEnv({ UPSTASH_VECTOR_REST_URL: server.url, UPSTASH_VECTOR_REST_TOKEN: token }) };
    const tenant = newTenant();
    await store(deps, { tenant, request: question, completion: answer("Use the link."), context: CONTEXT });
    expect((await timedLookup(roomy(deps), tenant, paraphrase)).result).toMatchObject({ status: "HIT", kind: "semantic" });
    await server.close();

    expect((await timedLookup(deps, tenant, question)).result).toMatchObject({ status: "HIT", kind: "exact" });
    const { result, elapsedMs } = await timedLookup(deps, tenant, paraphrase);
    expect(result).toEqual({ status: "MISS", reason: "vector_unavailable" });
    expect(elapsedMs).toBeLessThan(LOOKUP_BUDGET_MS + SLACK_MS);
    expect(await statsOf(deps, tenant)).toMatchObject({ exactHits: 1, semanticHits: 1, misses: 1, failOpen: 1 });

    const another = chatRequest("What is the capital of France?");
    expect(await store(deps, { tenant, request: another, completion: answer("Paris."), context: CONTEXT })).toEqual({ stored: true, reason: "vector_unavailable" });
    expect((await timedLookup(deps, tenant, another)).result).toMatchObject({ status: "HIT", kind: "exact" });
    expect(await removeExpiredVectors(deps)).toEqual({ expiredRemoved: 0, reason: "vector_unavailable" });
  });

  it("a hung Vector server: MISS vector_timeout within the lookup budget", async () => {
    const deps = harness.deps({ vectorUrl: hung.url, config: { budgets: BUDGETS } });
    const { result, elapsedMs } = await timedLookup(deps, newTenant(), paraphrase);
    expect(result).toEqual({ status: "MISS", reason: "vector_timeout" });
    expect(elapsedMs).toBeGreaterThanOrEqual(LOOKUP_BUDGET_MS - 5);
    expect(elapsedMs).toBeLessThan(LOOKUP_BUDGET_MS + SLACK_MS);
  });
});

describe("embedder down", () => {
  it("a gateway embedder that never answers: MISS embedding_timeout within the budget", async () => {
    const never = { embeddings: () => new Promise<never>(() => undefined) };
    const deps = harness.deps({ config: { embedding: { provider: "gateway", model: "sim-embed" }, budgets: BUDGETS }, bindings: { GATEWAY: never } });
    const { result, elapsedMs } = await timedLookup(deps, newTenant(), paraphrase);
    expect(result).toEqual({ status: "MISS", reason: "embedding_timeout" });
    expect(elapsedMs).toBeLessThan(LOOKUP_BUDGET_MS + SLACK_MS);
  });

  it("an embedding provider without its binding: MISS embedding_unavailable, the exact path unaffected", async () => {
    const deps = harness.deps({ config: { embedding: { provider: "workers-ai" } } });
    const tenant = newTenant();
    expect(await store(deps, { tenant, request: question, completion: answer("Use the link."), context: CONTEXT })).toEqual({ stored: true, reason: "embedding_unavailable" });
    expect((await timedLookup(deps, tenant, question)).result).toMatchObject({ status: "HIT", kind: "exact" });
    expect((await timedLookup(deps, tenant, paraphrase)).result).toEqual({ status: "MISS", reason: "embedding_unavailable" });
  });
});
