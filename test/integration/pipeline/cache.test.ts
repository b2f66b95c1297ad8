// The semantic cache in the chat pipeline through the whole stack: MISS then HIT (exact and
// semantic), scope per tenant, stream store and SSE replay, per-request control, invalidation, stats.
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { readSse } from "../../support/sse";
import { waitFor } from "../../../dev/ports";
import { ask, chat, resetSim, simCalls, stack } from "../support";

beforeEach(resetSim);

/** A question no other test (or earlier run) has stored. */
const unique = (question: string) => `${question} (case ${randomUUID().slice(0, 8)})`;

type Completion = { choices: Array<{ message: { content: string } }> };

function api(path: string, init: RequestInit = {}, key = stack.apiKey): Promise<Response> {
  return fetch(`${stack.edgeUrl}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}

describe("semantic cache in the pipeline", () => {
  it("answers the second identical request from the cache without calling the provider", async () => {
    const request = ask("t-cache", unique("What is the capital of Norway?"));
    const first = await chat(request);
    expect(first.headers.get("x-gateway-cache")).toMatch(/^MISS/);
    const firstBody = (await first.json()) as Completion;
    const second = await chat(request);
    expect(second.status).toBe(200);
    expect(second.headers.get("x-gateway-cache")).toMatch(/^HIT; kind=exact/);
    expect(second.headers.get("x-gateway-attempts")).toBe("0");
    expect(second.headers.get("x-gateway-cost-usd")).toBe("0.00000000");
    expect(((await second.json()) as Completion).choices[0]?.message.content).toBe(firstBody.choices[0]?.message.content);
    expect(await simCalls("t-cache-a")).toEqual({ "t-cache-a": 1 });
  });

  it("answers a paraphrase from the semantic path and reports the similarity", async () => {
    const tag = randomUUID().slice(0, 6);
    await chat(ask("t-cache", `How do I reset my password on server ${tag}?`));
    // The first answer is stored in the background: ask the paraphrase (no-store, so a miss is not
    // cached under its own text) until the stored entry answers it.
    const askParaphrase = async () => (await chat(ask("t-cache", `How can I reset my password on server ${tag}?`), { "x-gateway-cache-control": "no-store" })).headers.get("x-gateway-cache") ?? "";
    await waitFor(async () => (await askParaphrase()).startsWith("HIT"), 10_000, "a HIT once the first answer is stored", 100);
    const calls = await simCalls("t-cache-a");
    expect(await askParaphrase()).toMatch(/^HIT; kind=semantic; similarity=0\.9\d+/);
    expect(await simCalls("t-cache-a")).toEqual(calls);
  });

  it("never serves one tenant's entry to another", async () => {
    const request = ask("t-cache", unique("Summarise the quarterly plan"));
    await chat(request);
    const other = await chat(request, { authorization: "Bearer sk-test-other" });
    expect(other.headers.get("x-gateway-cache")).toMatch(/^MISS/);
    expect(await simCalls("t-cache-a")).toEqual({ "t-cache-a": 2 });
  });

  it("stores a finished stream and replays it as SSE for a later streaming request", async () => {
    const request = ask("t-cache", unique("Write a haiku about fjords"), { stream: true });
    const streamed = await readSse(await chat(request));
    const text = (events: Array<{ data: string }>) =>
      events.filter((e) => e.data !== "[DONE]").map((e) => (JSON.parse(e.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "").join("");
    const original = text(streamed.events);
    // The store runs in the background after the stream ends: poll until the entry is there.
    let replay: Response | undefined;
    for (let i = 0; i < 40; i++) {
      replay = await chat(request);
      if (replay.headers.get("x-gateway-cache")?.startsWith("HIT")) break;
      await replay.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(replay!.headers.get("x-gateway-cache")).toMatch(/^HIT/);
    expect(replay!.headers.get("content-type")).toContain("text/event-stream");
    const replayed = await readSse(replay!);
    expect(replayed.events.at(-1)?.data).toBe("[DONE]");
    expect(text(replayed.events)).toBe(original);
  });

  it("honours x-gateway-cache-control: no-store and refresh, and rejects unknown directives", async () => {
    const request = ask("t-cache", unique("List three rivers"));
    await chat(request, { "x-gateway-cache-control": "no-store" });
    expect((await chat(request, { "x-gateway-cache-control": "no-store" })).headers.get("x-gateway-cache")).toMatch(/^MISS/);
    await chat(request);
    const refreshed = await chat(request, { "x-gateway-cache-control": "refresh" });
    expect(refreshed.headers.get("x-gateway-cache")).toBe("BYPASS; reason=refresh");
    expect(await simCalls("t-cache-a")).toEqual({ "t-cache-a": 4 });
    const bad = await chat(request, { "x-gateway-cache-control": "forever" });
    expect(bad.status).toBe(400);
  });

  it("bypasses the cache for n > 1", async () => {
    const response = await chat(ask("t-cache", unique("Pick a number"), { n: 2 }));
    expect(response.headers.get("x-gateway-cache")).toBe("BYPASS; reason=n_gt_1");
  });

  it("invalidates the tenant's entries and counts hits and misses in stats", async () => {
    const request = ask("t-cache", unique("Explain photosynthesis briefly"));
    await chat(request);
    expect((await chat(request)).headers.get("x-gateway-cache")).toMatch(/^HIT/);
    const stats = (await (await api("/v1/cache/stats")).json()) as { hits: number; misses: number; stores: number };
    expect(stats.hits).toBeGreaterThanOrEqual(1);
    expect(stats.stores).toBeGreaterThanOrEqual(1);
    const invalidated = await api("/v1/cache/invalidate", { method: "POST", body: JSON.stringify({ model: "t-cache" }) });
    expect(invalidated.status).toBe(200);
    expect(((await invalidated.json()) as { deleted: number }).deleted).toBeGreaterThanOrEqual(1);
    expect((await chat(request)).headers.get("x-gateway-cache")).toMatch(/^MISS/);
    expect((await api("/v1/cache/invalidate", { method: "POST", body: "{}" })).status).toBe(400);
  });
});
