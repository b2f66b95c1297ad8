// Storing through the real stand-ins: which answers are kept (skip rules, no-store), refresh
// replacing an entry, long or multimodal questions kept for exact match only, and the stats
// counters a user of GET /v1/cache/stats sees moving.
import type { ChatCompletion, ChatCompletionRequest } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CacheDeps } from "../../../functions/cache/deps";
import { tenantId, tenantKeys } from "../../../functions/cache/keys";
import { lookup } from "../../../functions/cache/lookup";
import { readStats } from "../../../functions/cache/stats";
import { store } from "../../../functions/cache/store";
import { CONTEXT, answer, chatRequest, newTenant, startCacheHarness, type CacheHarness } from "./harness";

let harness: CacheHarness;
let deps: CacheDeps;

beforeAll(async () => {
  harness = await startCacheHarness();
  deps = harness.deps();
});

afterAll(async () => {
  await harness?.close();
});

async function ask(tenant: string, request: ChatCompletionRequest, control?: { noStore: boolean; refresh: boolean }) {
  const outcome = await lookup(deps, { tenant, request, control, context: CONTEXT });
  await outcome.background;
  return outcome.result;
}

const toolCall = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: "{}" } };

describe("skip rules on store", () => {
  it.each<[string, ChatCompletionRequest, ChatCompletion, string]>([
    ["n > 1", chatRequest("Name a colour.", { params: { n: 2 } }), answer("Red."), "n_gt_1"],
    ["a temperature above the limit", chatRequest("Name a colour.", { params: { temperature: 1.2 } }), answer("Red."), "temperature_above_limit"],
    ["a filtered answer", chatRequest("Name a colour."), answer("", { finish_reason: "content_filter" }), "content_filter"],
    ["a refusal", chatRequest("Name a colour."), answer("I can't.", { message: { role: "assistant", content: "I can't.", refusal: "I can't help with that." } }), "refusal"],
    ["an answer with tool calls", chatRequest("Weather in Oslo?"), answer("", { finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [toolCall] } }), "tool_calls"],
    ["an answer that did not finish", chatRequest("Name a colour."), answer("Re", { finish_reason: null }), "incomplete"],
    ["an empty answer", chatRequest("Name a colour."), answer(""), "empty"],
    [
      "several choices",
      chatRequest("Name a colour."),
      { ...answer("Red."), choices: [0, 1].map((index) => ({ index, message: { role: "assistant" as const, content: "Red." }, finish_reason: "stop" as const })) },
      "n_gt_1",
    ],
  ])("does not store %s, and a lookup then misses", async (_name, request, completion, reason) => {
    const tenant = newTenant();
    expect(await store(deps, { tenant, request, completion, context: CONTEXT })).toEqual({ stored: false, reason });
    const plain = { ...request, n: undefined, temperature: undefined };
    expect(await ask(tenant, plain)).toEqual({ status: "MISS", reason: "no_match" });
  });

  it("honours no-store (x-gateway-cache-control: no-store)", async () => {
    const tenant = newTenant();
    const request = chatRequest("Name a colour.");
    expect(await store(deps, { tenant, request, completion: answer("Red."), control: { noStore: true, refresh: false }, context: CONTEXT })).toEqual({ stored: false, reason: "no_store" });
    expect(await ask(tenant, request)).toEqual({ status: "MISS", reason: "no_match" });
  });

  it("stores an answer cut at max_tokens (finish_reason length): max_tokens is in the scope", async () => {
    const tenant = newTenant();
    const request = chatRequest("Describe the sea.", { params: { max_tokens: 5 } });
    expect(await store(deps, { tenant, request, completion: answer("The sea is", { finish_reason: "length" }), context: CONTEXT })).toEqual({ stored: true });
    expect(await ask(tenant, request)).toMatchObject({ status: "HIT", kind: "exact" });
  });
});

describe("refresh and replacement", () => {
  it("refresh bypasses the lookup and the fresh answer replaces the old one", async () => {
    const tenant = newTenant();
    const request = chatRequest("What is the latest version?");
    await store(deps, { tenant, request, completion: answer("1.0"), context: CONTEXT });
    const refresh = { noStore: false, refresh: true };
    expect(await ask(tenant, request, refresh)).toEqual({ status: "BYPASS", reason: "refresh" });
    expect(await store(deps, { tenant, request, completion: answer("2.0"), control: refresh, context: CONTEXT })).toEqual({ stored: true });
    const result = await ask(tenant, request);
    expect(result.status === "HIT" && result.completion.choices[0]?.message.content).toBe("2.0");
    const keys = tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant));
    expect((await deps.vector.namespace(keys.namespace).range({ cursor: "0", limit: 10 })).vectors).toHaveLength(1);
  });
});

describe("exact match only", () => {
  it("a question longer than maxSemanticQueryChars is stored without a vector: exact hits, paraphrases miss", async () => {
    const tenant = newTenant();
    const short = harness.deps({ config: { maxSemanticQueryChars: 20 } });
    const request = chatRequest("How do I reset my password?");
    expect(await store(short, { tenant, request, completion: answer("Use the link."), context: CONTEXT })).toEqual({ stored: true });
    const keys = tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant));
    expect((await deps.vector.namespace(keys.namespace).range({ cursor: "0", limit: 10 })).vectors).toHaveLength(0);
    const look = async (question: string) => (await lookup(short, { tenant, request: chatRequest(question), context: CONTEXT })).result;
    expect(await look("How do I reset my password?")).toMatchObject({ status: "HIT", kind: "exact" });
    expect(await look("How can I reset my password?")).toEqual({ status: "MISS", reason: "no_match" });
  });

  it("a question with an image is matched exactly, never by its text alone", async () => {
    const tenant = newTenant();
    const withImage = (url: string): ChatCompletionRequest => ({
      model: "default",
      messages: [{ role: "user", content: [{ type: "text", text: "What is in this picture?" }, { type: "image_url", image_url: { url } }] }],
    });
    await store(deps, { tenant, request: withImage("https://example.com/cat.png"), completion: answer("A cat."), context: CONTEXT });
    expect(await ask(tenant, withImage("https://example.com/cat.png"))).toMatchObject({ status: "HIT", kind: "exact" });
    expect(await ask(tenant, withImage("https://example.com/dog.png"))).toEqual({ status: "MISS", reason: "no_match" });
    expect(await ask(tenant, chatRequest("What is in this picture?"))).toEqual({ status: "MISS", reason: "no_match" });
  });
});

describe("stats", () => {
  it("counts stores, exact and semantic hits, misses, bypasses and live entries per tenant", async () => {
    const tenant = newTenant();
    const before = await readStats(deps, tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant)));
    expect(before).toMatchObject({ hits: 0, stores: 0, entries: 0 });
    await store(deps, { tenant, request: chatRequest("How do I reset my password?"), completion: answer("Use the link."), context: CONTEXT });
    await store(deps, { tenant, request: chatRequest("What is the capital of France?", { model: "other" }), completion: answer("Paris."), context: CONTEXT });
    await ask(tenant, chatRequest("How do I reset my password?"));
    await ask(tenant, chatRequest("How can I reset my password?"));
    await ask(tenant, chatRequest("What is the boiling point of water?"));
    await ask(tenant, chatRequest("Tell me a joke.", { params: { n: 3 } }));
    const stats = await readStats(deps, tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(tenant)));
    expect(stats).toEqual({ hits: 2, exactHits: 1, semanticHits: 1, misses: 1, bypasses: 1, stores: 2, failOpen: 0, rejectedByVerifier: 0, entries: 2 });
    const other = await readStats(deps, tenantKeys(harness.keyPrefix, deps.config.namespacePrefix, await tenantId(newTenant())));
    expect(other).toMatchObject({ hits: 0, stores: 0, entries: 0 });
  });
});
