// Lookups through the real stand-ins: exact and semantic hits, no hit outside the scope (tenant,
// model, system prompt, parameters, conversation prefix), the verifier's rejections, skip rules on
// lookup, and TTL expiry (a MISS, and the expired vector and payload removed in the background).
import type { CacheControl, ChatCompletionRequest } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordEmbeddingTimes } from "../../../dev/embedder";
import type { CacheDeps } from "../../../functions/cache/deps";
import { tenantId, tenantKeys } from "../../../functions/cache/keys";
import { lookup } from "../../../functions/cache/lookup";
import { CONTEXT, answer, chatRequest, newTenant, remember as rememberIn, startCacheHarness, type CacheHarness, type ConfigInput } from "./harness";

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

async function ask(tenant: string, request: ChatCompletionRequest, options: { control?: CacheControl; using?: CacheDeps } = {}) {
  const outcome = await lookup(options.using ?? deps, { tenant, request, control: options.control, context: CONTEXT });
  await outcome.background;
  return outcome.result;
}

const contentOf = (result: Awaited<ReturnType<typeof ask>>) => (result.status === "HIT" ? result.completion.choices[0]?.message.content : undefined);

describe("hits", () => {
  it("answers the same question, differently spaced and cased, from the exact path", async () => {
    const tenant = newTenant();
    await remember(tenant, chatRequest("What is the capital of France?"), "Paris.");
    const result = await ask(tenant, chatRequest("  what is the capital   of FRANCE?\n"));
    expect(result).toMatchObject({ status: "HIT", kind: "exact", similarity: 1 });
    expect(contentOf(result)).toBe("Paris.");
  });

  it("answers a paraphrase from the semantic path, with its cosine similarity", async () => {
    const tenant = newTenant();
    await remember(tenant, chatRequest("How do I reset my password?"), "Use the reset link.");
    const result = await ask(tenant, chatRequest("How can I reset my password?"));
    expect(result).toMatchObject({ status: "HIT", kind: "semantic" });
    expect(contentOf(result)).toBe("Use the reset link.");
    const similarity = result.status === "HIT" ? (result.similarity ?? 0) : 0;
    expect(similarity).toBeGreaterThanOrEqual(deps.config.threshold);
    expect(similarity).toBeLessThan(1);
  });

  it("misses an unrelated question", async () => {
    const tenant = newTenant();
    await remember(tenant, chatRequest("How do I reset my password?"), "Use the reset link.");
    expect(await ask(tenant, chatRequest("What is the boiling point of water at sea level?"))).toEqual({ status: "MISS", reason: "no_match" });
  });

  it("a miss embeds the question once (in the Vector server), whichever path runs first", async () => {
    const tenant = newTenant();
    await remember(tenant, chatRequest("How do I reset my password?"), "Use the reset link.");
    const stop = recordEmbeddingTimes();
    const result = await ask(tenant, chatRequest("What is the boiling point of water at sea level?"));
    const times = stop();
    expect(result).toEqual({ status: "MISS", reason: "no_match" });
    expect(times).toHaveLength(1);
  });

  it("treats text parts like the same text", async () => {
    const tenant = newTenant();
    await remember(tenant, chatRequest("Name three primary colours."), "Red, yellow, blue.");
    const parts: ChatCompletionRequest = { model: "default", messages: [{ role: "user", content: [{ type: "text", text: "Name three " }, { type: "text", text: "primary colours." }] }] };
    expect(await ask(tenant, parts)).toMatchObject({ status: "HIT", kind: "exact" });
  });
});

describe("scope: no hit outside the tenant, model, parameters, system prompt and conversation", () => {
  const question = "How do I reset my password?";
  const history: ChatCompletionRequest["messages"] = [
    { role: "user", content: "I use the mobile app." },
    { role: "assistant", content: "Noted: the mobile app." },
  ];
  const base = () => chatRequest(question, { system: "You are the support bot of Acme.", history, params: { temperature: 0, max_tokens: 200 } });

  it.each<[string, (request: ChatCompletionRequest) => ChatCompletionRequest]>([
    ["another model alias", (request) => ({ ...request, model: "other-model" })],
    ["another temperature", (request) => ({ ...request, temperature: 0.7 })],
    ["another max_tokens", (request) => ({ ...request, max_tokens: 50 })],
    ["a response_format", (request) => ({ ...request, response_format: { type: "json_object" } })],
    ["a seed", (request) => ({ ...request, seed: 7 })],
    ["tools", (request) => ({ ...request, tools: [{ type: "function", function: { name: "lookup_user" } }] })],
    ["another system prompt", (request) => ({ ...request, messages: [{ role: "system", content: "You are the support bot of Globex." }, ...request.messages.slice(1)] })],
    ["another earlier turn", (request) => ({ ...request, messages: request.messages.map((message, i) => (i === 1 ? { role: "user", content: "I use the website." } : message)) })],
    ["no earlier conversation", (request) => ({ ...request, messages: [request.messages[0]!, request.messages.at(-1)!] })],
  ])("%s → MISS, while the same request still hits", async (_name, change) => {
    const tenant = newTenant();
    await remember(tenant, base(), "Tap Settings, then Reset.");
    expect(await ask(tenant, change(base()))).toEqual({ status: "MISS", reason: "no_match" });
    expect(await ask(tenant, base())).toMatchObject({ status: "HIT", kind: "exact" });
  });

  it("another tenant → MISS (its own namespace and keys)", async () => {
    const tenant = newTenant();
    await remember(tenant, base(), "Tap Settings, then Reset.");
    expect(await ask(newTenant(), base())).toEqual({ status: "MISS", reason: "no_match" });
    expect(await ask(newTenant(), chatRequest("How can I reset my password?", { system: "You are the support bot of Acme.", history, params: { temperature: 0, max_tokens: 200 } }))).toEqual({
      status: "MISS",
      reason: "no_match",
    });
  });

  it("labels (user, metadata) and stream framing do not change the scope", async () => {
    const tenant = newTenant();
    await remember(tenant, base(), "Tap Settings, then Reset.");
    expect(await ask(tenant, { ...base(), user: "u-42", metadata: { request: "r1" }, stream: true, stream_options: { include_usage: true } })).toMatchObject({ status: "HIT", kind: "exact" });
  });
});

describe("verifier", () => {
  // A low threshold makes the verifier the one that decides; the same lookup without it hits.
  const loose: ConfigInput = { threshold: 0.5 };
  it.each([
    ["a different number", "How do I convert 5 km to miles?", "How do I convert 50 km to miles?"],
    ["negation", "Is coffee good for your health?", "Is coffee not good for your health?"],
    ["a different named entity", "What is the population of Germany?", "What is the population of France?"],
  ])("rejects %s: MISS verifier_rejected, counted in stats", async (_name, stored, asked) => {
    const tenant = newTenant();
    const strict = harness.deps({ config: loose });
    const without = harness.deps({ config: { ...loose, verifier: { enabled: false } } });
    await remember(tenant, chatRequest(stored), "the stored answer", strict);
    expect(await ask(tenant, chatRequest(asked), { using: strict })).toEqual({ status: "MISS", reason: "verifier_rejected" });
    expect(await ask(tenant, chatRequest(asked), { using: without })).toMatchObject({ status: "HIT", kind: "semantic" });
    const counters = await harness.direct.hgetall(tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant)).stats);
    expect(counters.rejectedByVerifier).toBe("1");
  });
});

describe("skip rules on lookup", () => {
  it.each<[string, ChatCompletionRequest, CacheControl | undefined, string]>([
    ["n > 1", chatRequest("Tell me a joke.", { params: { n: 2 } }), undefined, "n_gt_1"],
    ["a temperature above the limit", chatRequest("Tell me a joke.", { params: { temperature: 1.5 } }), undefined, "temperature_above_limit"],
    ["refresh", chatRequest("Tell me a joke."), { noStore: false, refresh: true }, "refresh"],
    ["a last message that is not the user's", { model: "default", messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }] }, undefined, "last_message_not_user"],
    ["no user message", { model: "default", messages: [{ role: "system", content: "Tell me a joke." }] }, undefined, "no_user_message"],
  ])("%s → BYPASS", async (_name, request, control, reason) => {
    const tenant = newTenant();
    await remember(tenant, chatRequest("Tell me a joke."), "A joke.");
    expect(await ask(tenant, request, { control })).toEqual({ status: "BYPASS", reason });
  });

  it("a model alias switched off in config → BYPASS disabled", async () => {
    const off = harness.deps({ config: { models: { "no-cache": { enabled: false } } } });
    expect(await ask(newTenant(), chatRequest("Tell me a joke.", { model: "no-cache" }), { using: off })).toEqual({ status: "BYPASS", reason: "disabled" });
  });
});

describe("TTL", () => {
  it("an expired exact entry is a MISS, and its payload and vector are removed", async () => {
    const tenant = newTenant();
    const request = chatRequest("What is the tallest mountain on Earth?");
    const shortLived = harness.deps({ config: { ttlSeconds: 60 } });
    await remember(tenant, request, "Everest.", shortLived);
    const keys = tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant));
    const vectors = () => deps.vector.namespace(keys.namespace).range({ cursor: "0", limit: 10 });
    expect((await vectors()).vectors).toHaveLength(1);
    expect(await ask(tenant, request, { using: shortLived })).toMatchObject({ status: "HIT" });

    harness.advance(61_000);
    expect(await ask(tenant, request, { using: shortLived })).toEqual({ status: "MISS", reason: "expired" });
    expect((await vectors()).vectors).toHaveLength(0);
    expect(await harness.direct.keys(`${harness.keyPrefix}cache:${tenant}:m:*:e:*`)).toEqual([]);
  });

  it("an expired semantic match is a MISS and its vector is removed", async () => {
    const tenant = newTenant();
    const shortLived = harness.deps({ config: { ttlSeconds: 30 } });
    await remember(tenant, chatRequest("How do I bake a chocolate cake?"), "Mix, bake, cool.", shortLived);
    expect(await ask(tenant, chatRequest("How can I bake a chocolate cake?"), { using: shortLived })).toMatchObject({ status: "HIT", kind: "semantic" });
    harness.advance(31_000);
    expect(await ask(tenant, chatRequest("How can I bake a chocolate cake?"), { using: shortLived })).toEqual({ status: "MISS", reason: "expired" });
    const keys = tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant));
    expect((await deps.vector.namespace(keys.namespace).range({ cursor: "0", limit: 10 })).vectors).toHaveLength(0);
  });

  it("a per-model TTL overrides the default", async () => {
    const tenant = newTenant();
    const perModel = harness.deps({ config: { ttlSeconds: 3600, models: { fast: { ttlSeconds: 10 } } } });
    await remember(tenant, chatRequest("What day is it?", { model: "fast" }), "Monday.", perModel);
    await remember(tenant, chatRequest("What day is it?"), "Monday.", perModel);
    harness.advance(11_000);
    expect(await ask(tenant, chatRequest("What day is it?", { model: "fast" }), { using: perModel })).toEqual({ status: "MISS", reason: "expired" });
    expect(await ask(tenant, chatRequest("What day is it?"), { using: perModel })).toMatchObject({ status: "HIT", kind: "exact" });
  });
});
