// Invalidation (all / one model / one request) and maintenance (expired vectors removed) through
// the real stand-ins: afterwards lookups miss, other tenants and models keep their entries.
import type { ChatCompletionRequest } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CacheDeps } from "../../../functions/cache/deps";
import { invalidate } from "../../../functions/cache/invalidate";
import { tenantId, tenantKeys } from "../../../functions/cache/keys";
import { lookup } from "../../../functions/cache/lookup";
import { removeExpiredVectors } from "../../../functions/cache/maintenance";
import { readStats } from "../../../functions/cache/stats";
import { CONTEXT, chatRequest, newTenant, remember as rememberIn, startCacheHarness, type CacheHarness } from "./harness";

let harness: CacheHarness;
let deps: CacheDeps;

beforeAll(async () => {
  harness = await startCacheHarness();
  deps = harness.deps();
});

afterAll(async () => {
  await harness?.close();
});

const remember = (tenant: string, request: ChatCompletionRequest, content: string, using = deps) => rememberIn(using, tenant, request, content);

async function status(tenant: string, request: ChatCompletionRequest): Promise<string> {
  const outcome = await lookup(deps, { tenant, request, context: CONTEXT });
  await outcome.background;
  return outcome.result.status;
}

async function vectorCount(tenant: string): Promise<number> {
  const keys = tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant));
  return (await deps.vector.namespace(keys.namespace).range({ cursor: "0", limit: 100 })).vectors.length;
}

const password = chatRequest("How do I reset my password?");
const capital = chatRequest("What is the capital of France?", { model: "geo" });
const river = chatRequest("What is the longest river in Europe?", { model: "geo" });

describe("invalidate", () => {
  it("all: every entry of the tenant goes, another tenant keeps its own", async () => {
    const [tenant, other] = [newTenant(), newTenant()];
    for (const [request, content] of [[password, "Use the link."], [capital, "Paris."], [river, "The Volga."]] as const) await remember(tenant, request, content);
    await remember(other, password, "Use the link.");
    expect(await invalidate(deps, { tenant, all: true, context: CONTEXT })).toEqual({ deleted: 3 });
    for (const request of [password, capital, river]) expect(await status(tenant, request)).toBe("MISS");
    expect(await vectorCount(tenant)).toBe(0);
    expect((await readStats(deps, tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, tenant))).entries).toBe(0);
    expect(await status(other, password)).toBe("HIT");
  });

  it("model: only that alias's entries go", async () => {
    const tenant = newTenant();
    await remember(tenant, password, "Use the link.");
    await remember(tenant, capital, "Paris.");
    await remember(tenant, river, "The Volga.");
    expect(await invalidate(deps, { tenant, model: "geo", context: CONTEXT })).toEqual({ deleted: 2 });
    expect(await status(tenant, capital)).toBe("MISS");
    expect(await status(tenant, chatRequest("What's the capital of France?", { model: "geo" }))).toBe("MISS");
    expect(await status(tenant, password)).toBe("HIT");
    expect(await vectorCount(tenant)).toBe(1);
  });

  it("request: the entry a lookup of that request would hit goes, by exact match or by paraphrase", async () => {
    const tenant = newTenant();
    await remember(tenant, password, "Use the link.");
    await remember(tenant, capital, "Paris.");
    expect(await invalidate(deps, { tenant, request: chatRequest("How can I reset my password?"), context: CONTEXT })).toEqual({ deleted: 1 });
    expect(await status(tenant, password)).toBe("MISS");
    expect(await status(tenant, capital)).toBe("HIT");
    expect(await invalidate(deps, { tenant, request: capital, context: CONTEXT })).toEqual({ deleted: 1 });
    expect(await status(tenant, capital)).toBe("MISS");
    expect(await vectorCount(tenant)).toBe(0);
  });

  it("request: something that is not a chat request is reported, nothing is deleted", async () => {
    const tenant = newTenant();
    await remember(tenant, password, "Use the link.");
    expect(await invalidate(deps, { tenant, request: { messages: "nope" }, context: CONTEXT })).toEqual({ deleted: 0, reason: "invalid_request" });
    expect(await status(tenant, password)).toBe("HIT");
  });
});

describe("maintenance", () => {
  it("removes expired vectors in every cache namespace and keeps live ones", async () => {
    const [first, second] = [newTenant(), newTenant()];
    const shortLived = harness.deps({ config: { ttlSeconds: 60 } });
    await remember(first, password, "Use the link.", shortLived);
    await remember(second, capital, "Paris.", shortLived);
    await remember(second, river, "The Volga.");
    harness.advance(61_000);
    const result = await removeExpiredVectors(deps);
    expect(result).toEqual({ expiredRemoved: 2 });
    expect(await vectorCount(first)).toBe(0);
    expect(await vectorCount(second)).toBe(1);
    expect(await status(second, river)).toBe("HIT");
  });
});
