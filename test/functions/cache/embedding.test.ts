// The embedding setting's alternatives, end to end through store and lookup: the gateway's
// embeddings (the real gateway code calling the simulated provider over HTTP) and Workers AI (an
// AI binding stand-in backed by the same offline model, since Workers AI does not run offline).
import { randomBytes } from "node:crypto";
import { createLogger } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embed } from "../../../dev/embedder";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import type { GatewayEmbeddingsBinding, WorkersAiBinding } from "../../../functions/cache/embedding";
import { lookup } from "../../../functions/cache/lookup";
import { store } from "../../../functions/cache/store";
import { BreakerRegistry } from "../../../functions/gateway/breaker/registry";
import { executeEmbeddings } from "../../../functions/gateway/embeddings";
import { CONTEXT, answer, chatRequest, startCacheHarness, type CacheHarness } from "./harness";

let harness: CacheHarness;
let sim: SimProvider;
let gatewayCalls = 0;
let gateway: GatewayEmbeddingsBinding;

beforeAll(async () => {
  [harness, sim] = await Promise.all([startCacheHarness(), startSimProvider({ port: 0 })]);
  const gatewayDeps = { env: { SIM_PROVIDER_URL: sim.url }, bindings: {}, breakers: new BreakerRegistry(), log: createLogger({ worker: "gateway-test" }, () => undefined) };
  gateway = {
    embeddings: async (_context, input) => {
      gatewayCalls++;
      return executeEmbeddings(gatewayDeps, input.request);
    },
  };
});

afterAll(async () => {
  await sim?.close();
  await harness?.close();
});

const newTenant = () => `tenant-${randomBytes(4).toString("hex")}`;

describe("embedding providers", () => {
  it("gateway: vectors come from the gateway's embeddings RPC; a paraphrase hits", async () => {
    const deps = harness.deps({ config: { embedding: { provider: "gateway", model: "sim-embed" }, budgets: { lookupMs: 2_000 } }, bindings: { GATEWAY: gateway } });
    const tenant = newTenant();
    const before = gatewayCalls;
    expect(await store(deps, { tenant, request: chatRequest("How do I reset my password?"), completion: answer("Use the link."), context: CONTEXT })).toEqual({ stored: true });
    const result = (await lookup(deps, { tenant, request: chatRequest("How can I reset my password?"), context: CONTEXT })).result;
    expect(result).toMatchObject({ status: "HIT", kind: "semantic" });
    expect(gatewayCalls - before).toBe(2);
  });

  it("gateway: an unknown embeddings alias is MISS embedding_unavailable", async () => {
    const deps = harness.deps({ config: { embedding: { provider: "gateway", model: "no-such-alias" } }, bindings: { GATEWAY: gateway } });
    expect((await lookup(deps, { tenant: newTenant(), request: chatRequest("How can I reset my password?"), context: CONTEXT })).result).toEqual({
      status: "MISS",
      reason: "embedding_unavailable",
    });
  });

  it("workers-ai: vectors come from the AI binding with the configured model", async () => {
    const models: string[] = [];
    const ai: WorkersAiBinding = {
      run: async (model, input) => {
        models.push(model);
        return { shape: [input.text.length, 512], data: await embed(input.text) };
      },
    };
    const deps = harness.deps({ config: { embedding: { provider: "workers-ai", model: "@cf/test/embedder" }, budgets: { lookupMs: 2_000 } }, bindings: { AI: ai } });
    const tenant = newTenant();
    await store(deps, { tenant, request: chatRequest("How do I bake a chocolate cake?"), completion: answer("Mix, bake, cool."), context: CONTEXT });
    expect((await lookup(deps, { tenant, request: chatRequest("How can I bake a chocolate cake?"), context: CONTEXT })).result).toMatchObject({ status: "HIT", kind: "semantic" });
    expect(models).toEqual(["@cf/test/embedder", "@cf/test/embedder"]);
  });
});
