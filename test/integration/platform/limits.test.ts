// Rate limits and budgets through the whole stack (tenants it-limits and it-budget of
// platform-config.ts): a used-up request window answers 429 + Retry-After + x-ratelimit-* without
// calling the provider and recovers in the next window; the gateway's cost figures fill a daily
// budget until chat answers 429 insufficient_quota (streamed answers and jobs' task calls included);
// tenants without limits see no limit headers.
import { beforeEach, describe, expect, it } from "vitest";
import { readSseEvents } from "../../../shared/sse";
import { fault, resetSim, simCalls, simLogWhen, stack } from "../support";
import { call, chatAs, createKey, pollStatus, type ErrorBody } from "./support";

beforeEach(resetSim);

/** Sends until `header` satisfies `accept` (10 s at most), reading each body to its end; returns the last value. */
async function pollUntilHeader(send: () => Promise<Response>, header: string, accept: (value: string | null) => boolean): Promise<string | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await send();
    await response.text();
    const value = response.headers.get(header);
    if (accept(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("limits through the stack", () => {
  it("request window: 429 with Retry-After and an OpenAI-style body, no upstream call, then recovery", async () => {
    const send = () => chatAs("sk-test-limits", "t-plat-lim", "Count me");
    const refused = await pollStatus(send, 429, 10_000, 0);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("3");
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded", param: null });
    const calls = (await simCalls("t-plat-lim-a"))["t-plat-lim-a"]!;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(3 * 2);

    const recovered = await pollStatus(send, 200, 5_000);
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get("x-ratelimit-limit-requests")).toBe("3");
  });

  it("budget: the tenant's spend reaches its daily budget and chat answers 429 insufficient_quota", async () => {
    const send = () => chatAs("sk-test-budget", "t-plat-bud", "Tell me something expensive");
    const refused = await pollStatus(send, 429, 15_000, 50);
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "insufficient_quota" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const callsAtRefusal = (await simCalls("t-plat-bud-a"))["t-plat-bud-a"]!;
    expect(callsAtRefusal).toBeGreaterThanOrEqual(1);
    expect((await send()).status).toBe(429);
    expect(await simCalls("t-plat-bud-a")).toEqual({ "t-plat-bud-a": callsAtRefusal });
  });

  it("budget and token window count streamed answers too (the stream's cost comment and usage chunk)", async () => {
    const send = () => chatAs("sk-test-budget-stream", "t-plat-bud", "Stream something expensive", { stream: true, stream_options: { include_usage: true } });
    const first = await send();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("1000000");
    await first.text();
    // The tokens are added after the stream ended: poll until the window shows them.
    const counted = await pollUntilHeader(send, "x-ratelimit-remaining-tokens", (value) => Number(value) < 1_000_000);
    expect(Number(counted)).toBeLessThan(1_000_000);
    const refused = await pollStatus(send, 429, 15_000, 50);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("insufficient_quota");
  });

  it("a client that leaves mid-stream still pays: the prompt and the answer it received are counted (estimated)", async () => {
    await fault({ model: "t-plat-bud-a", chunkDelayMs: 150 });
    const { key } = await createKey("it-budget-left");
    const leave = new AbortController();
    // About 250 prompt tokens at the route's price (USD 1,000 per million) is USD 0.25: over the daily budget.
    const prompt = `Stream something expensive, then I leave. ${"Background detail. ".repeat(60)}`;
    const response = await call(
      "/v1/chat/completions",
      { method: "POST", body: JSON.stringify({ model: "t-plat-bud", messages: [{ role: "user", content: prompt }], stream: true, stream_options: { include_usage: true } }), signal: leave.signal },
      key,
    );
    expect(response.status).toBe(200);
    for await (const event of readSseEvents(response.body!)) if (event.data.includes('"content":"') && !event.data.includes('"content":""')) break;
    leave.abort();
    await simLogWhen("t-plat-bud-a", (entries) => entries.length === 1 && entries[0]!.clientLeft === true);

    const free = () => chatAs(key, "t-plat", "A free question");
    const refused = await pollStatus(free, 429, 10_000);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("insufficient_quota");
    // The token window holds the prompt's ~250 tokens and the few of the answer's first words.
    expect(1_000_000 - Number(refused.headers.get("x-ratelimit-remaining-tokens"))).toBeGreaterThanOrEqual(250);
    expect(await simCalls("t-plat-bud-a")).toEqual({ "t-plat-bud-a": 1 });
  });

  it("budget: what a job's tasks cost counts too — after an expensive job even a free call is refused", async () => {
    const { key } = await createKey("it-budget-job");
    const free = () => chatAs(key, "t-plat", "A free question");
    expect((await free()).status).toBe(200);
    const branches = [1, 2, 3].map((i) => ({ model: "t-plat-bud", messages: [{ role: "user", content: `Expensive branch ${i}` }] }));
    const created = await call("/v1/jobs", { method: "POST", body: JSON.stringify({ kind: "fanout", branches }) }, key);
    expect(created.status).toBe(202);
    const refused = await pollStatus(free, 429, 15_000);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("insufficient_quota");
    expect(await simCalls("t-plat-bud-a")).toEqual({ "t-plat-bud-a": 3 });
  });

  it("a tenant without limits gets no limit headers", async () => {
    const response = await chatAs(stack.apiKey, "t-plat", "No limits here");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-ratelimit-limit-requests")).toBeNull();
    expect(response.headers.get("x-gateway-ratelimit")).toBeNull();
  });
});
