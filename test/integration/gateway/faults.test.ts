// The fault matrix, non-streaming: each scripted provider fault → what the client sees (status,
// body, x-gateway-* headers) and exactly how many upstream calls were made.
import { beforeEach, describe, expect, it } from "vitest";
import { ask, chat, fault, resetSim, simCalls } from "../support";

type ErrorBody = { error: { message: string; type: string; code: string | null; param: string | null } };

beforeEach(resetSim);

describe("retry", () => {
  it("retries transient 503s on the same target and succeeds (2 faults → 3 calls)", async () => {
    await fault({ model: "t-retry-a", status: 503, times: 2 });
    const response = await chat(ask("t-retry"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-attempts")).toBe("3");
    expect(response.headers.get("x-gateway-fallback-index")).toBe("0");
    expect(response.headers.get("x-gateway-model")).toBe("t-retry-a");
    expect(await simCalls("t-retry-a")).toEqual({ "t-retry-a": 3 });
  });

  it("gives up after maxAttempts on a hard-down single target with the provider's status", async () => {
    await fault({ model: "t-retry-a", status: 503 });
    const response = await chat(ask("t-retry"));
    expect(response.status).toBe(503);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.message).toBeTruthy();
    expect(body.error).toHaveProperty("param");
    expect(response.headers.get("x-gateway-attempts")).toBe("3");
    expect(await simCalls("t-retry-a")).toEqual({ "t-retry-a": 3 });
  });

  it("waits the Retry-After of the current attempt before retrying a 429", async () => {
    await fault({ model: "t-retry-a", status: 429, retryAfter: 1, times: 1 });
    const started = performance.now();
    const response = await chat(ask("t-retry"));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(await simCalls("t-retry-a")).toEqual({ "t-retry-a": 2 });
  });

  it("does not retry or fall back on a client error (400) and passes it through", async () => {
    await fault({ model: "t-fb-a", status: 400 });
    const response = await chat(ask("t-fallback"));
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.type).toBe("invalid_request_error");
    expect(await simCalls("t-fb-a", "t-fb-b")).toEqual({ "t-fb-a": 1, "t-fb-b": 0 });
  });

  it("stops retrying when the Retry-After would not fit in the time budget", async () => {
    await fault({ model: "t-bud-a", status: 503, retryAfter: 3 });
    const started = performance.now();
    const response = await chat(ask("t-budget"));
    expect(response.status).toBe(503);
    // Well under the 3 s it was told to wait (not a speed bound: a loaded machine has taken 1.4 s).
    expect(performance.now() - started).toBeLessThan(2_500);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await simCalls("t-bud-a")).toEqual({ "t-bud-a": 1 });
  });
});

describe("fallback", () => {
  it("moves to the next target when the first is hard down (after its retries)", async () => {
    await fault({ model: "t-fb-a", status: 503 });
    const response = await chat(ask("t-fallback"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    expect(response.headers.get("x-gateway-model")).toBe("t-fb-b");
    expect(response.headers.get("x-gateway-attempts")).toBe("3");
    expect(await simCalls("t-fb-a", "t-fb-b")).toEqual({ "t-fb-a": 2, "t-fb-b": 1 });
  });

  it("treats a malformed 200 as a failure: retried, then the next target answers", async () => {
    await fault({ model: "t-fb-a", malformed: true });
    const response = await chat(ask("t-fallback"));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toContain("[simulated t-fb-b]");
    expect(await simCalls("t-fb-a", "t-fb-b")).toEqual({ "t-fb-a": 2, "t-fb-b": 1 });
  });

  it("falls back on a first-token timeout (a hung provider) within the deadline", async () => {
    await fault({ model: "t-to-a", hang: true });
    const started = performance.now();
    const response = await chat(ask("t-timeout"));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    expect(await simCalls("t-to-a", "t-to-b")).toEqual({ "t-to-a": 1, "t-to-b": 1 });
  });

  it("answers 504 when every target times out", async () => {
    await fault({ model: "t-to-a", hang: true });
    await fault({ model: "t-to-b", hang: true });
    const response = await chat(ask("t-timeout"));
    expect(response.status).toBe(504);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.type).toBe("timeout_error");
    expect(body.error.code).toBe("upstream_timeout_first_token");
  });

  it("falls back when the output fails the requested json_schema, without retrying the same target", async () => {
    await fault({ model: "t-inv-a", invalidOutput: true });
    const schema = { type: "object", properties: { city: { type: "string" }, population: { type: "integer" } }, required: ["city", "population"], additionalProperties: false };
    const response = await chat(ask("t-invalid", "Largest city?", { response_format: { type: "json_schema", json_schema: { name: "city", schema } } }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    const parsed = JSON.parse(body.choices[0]!.message.content) as Record<string, unknown>;
    expect(typeof parsed.city).toBe("string");
    expect(Number.isInteger(parsed.population)).toBe(true);
    expect(await simCalls("t-inv-a", "t-inv-b")).toEqual({ "t-inv-a": 1, "t-inv-b": 1 });
  });

  it("answers 502 invalid_output when every target gives empty content", async () => {
    await fault({ model: "t-inv-a", invalidOutput: true });
    await fault({ model: "t-inv-b", invalidOutput: true });
    const response = await chat(ask("t-invalid"));
    expect(response.status).toBe(502);
    expect(((await response.json()) as ErrorBody).error.code).toBe("invalid_output");
  });
});

describe("headers and cost", () => {
  it("reports provider, model, attempts, fallback index, route and a cost from the price table", async () => {
    const response = await chat(ask("default"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-provider")).toBe("sim");
    expect(response.headers.get("x-gateway-model")).toBe("sim-primary");
    expect(response.headers.get("x-gateway-route")).toBe("default");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-gateway-trace-id")).toMatch(/^[0-9a-f]{32}$/);
    const body = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const expected = (body.usage.prompt_tokens * 0.15 + body.usage.completion_tokens * 0.6) / 1_000_000;
    expect(Number(response.headers.get("x-gateway-cost-usd"))).toBeCloseTo(expected, 10);
  });
});
