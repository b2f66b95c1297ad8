// The OpenAI-wire adapter ("simulated" / "openai-compatible" / "openai") against the simulated
// provider over real HTTP: requests as the provider receives them, answers and streams mapped back,
// usage-chunk handling, tool calls, stop reasons, error mapping without the key, malformed streams,
// embeddings; plus the error-body reading edge cases.
import type { EmbeddingsRequest } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../../dev/sim-provider/server";
import { mapOpenAiRequest, mapOpenAiStyleError, openAiCompatibleAdapter, simulatedAdapter } from "../../../../functions/gateway/providers/openai-compatible";
import { sendEmbeddingsRequest, sendProviderRequest } from "../../../../functions/gateway/providers/transport";
import { ProviderProtocolError } from "../../../../functions/gateway/providers/types";
import { uniqueModel } from "../../../dev/sim-provider/helpers";
import { API_KEY, chatRequest, completeVia, noSignal, setFault, simLog, simTarget, streamVia, streamedToolCalls, summarise } from "./helpers";

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } }, required: ["city", "days"] },
  },
};

let sim: SimProvider;

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

const complete = (model: string, fields: Record<string, unknown> = {}) => completeVia(simulatedAdapter, sim.url, model, fields);
const stream = (model: string, fields: Record<string, unknown> = {}) => streamVia(simulatedAdapter, sim.url, model, fields);

describe("chat completions through the simulator", () => {
  it("sends the client's request with the target's model and maps the answer", async () => {
    const model = uniqueModel("sim-primary");
    const completion = await complete(model, { temperature: 0.3 });
    expect(completion.model).toBe(model);
    expect(completion.choices[0]?.message.content).toMatch(new RegExp(`^\\[simulated ${model}\\] You said: "Tell me about gateways"`));
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    // Provider extras pass through untouched.
    expect(completion).toMatchObject({ system_fingerprint: "fp_simulated" });
    const [logged] = await simLog(sim.url, model);
    expect(logged?.path).toBe("/v1/chat/completions");
    expect(logged?.body).toMatchObject({ model, temperature: 0.3, messages: [{ role: "user", content: "Tell me about gateways" }] });
  });

  it("streams the same text, reports usage, and hides the usage chunk from a client that did not ask", async () => {
    const model = uniqueModel("sim-primary");
    const whole = await complete(model);
    const steps = await stream(model);
    const summary = summarise(steps);
    expect(summary.chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(summary.content).toBe(whole.choices[0]?.message.content);
    expect(summary.finishReasons).toEqual(["stop"]);
    expect(summary.done).toBe(true);
    expect(summary.usage).toEqual(whole.usage);
    expect(summary.chunks.every((chunk) => chunk.choices.length > 0 && !("usage" in chunk))).toBe(true);
    const logged = await simLog(sim.url, model);
    expect(logged[1]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("keeps the usage chunk last when the client asked for include_usage", async () => {
    const model = uniqueModel("sim-primary");
    const summary = summarise(await stream(model, { stream_options: { include_usage: true } }));
    const last = summary.chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(summary.usage);
    expect(summary.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("maps tool calls, whole and streamed, with arguments that parse", async () => {
    const model = uniqueModel("sim-secondary");
    const fields = { tools: [weatherTool], tool_choice: "required", messages: [{ role: "user", content: "Weather in Oslo?" }] };
    const completion = await complete(model, fields);
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.function.name).toBe("get_weather");
    expect(JSON.parse(call?.function.arguments ?? "")).toMatchObject({ city: expect.any(String), days: expect.any(Number) });

    const summary = summarise(await stream(model, fields));
    const [streamed] = streamedToolCalls(summary.chunks);
    expect(streamed?.name).toBe("get_weather");
    expect(JSON.parse(streamed?.arguments ?? "")).toEqual(JSON.parse(call?.function.arguments ?? ""));
    expect(summary.finishReasons).toEqual(["tool_calls"]);
  });

  it("reports a max_tokens cut as finish_reason length", async () => {
    const model = uniqueModel("sim-primary");
    const completion = await complete(model, { max_tokens: 3 });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(3);
    expect(summarise(await stream(model, { max_tokens: 3 })).finishReasons).toEqual(["length"]);
  });
});

describe("errors and malformed answers from the simulator", () => {
  it.each([
    [429, "rate_limit_error", /Rate limit reached/],
    [503, "service_unavailable", /server had an error/],
    [529, "service_unavailable", /Overloaded/],
  ] as const)("explains status %i as %s without the key", async (status, type, message) => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, status });
    const target = simTarget(sim.url, "simulated", model);
    const response = await sendProviderRequest(simulatedAdapter, chatRequest({}), target, {}, noSignal());
    expect(response.status).toBe(status);
    const info = simulatedAdapter.mapError(response.status, await response.text(), target);
    expect(info.type).toBe(type);
    expect(info.message).toMatch(message);
    expect(info.message).not.toContain(API_KEY);
    if (status === 429) expect(info.code).toBe("rate_limit_exceeded");
  });

  it("fails a stream with a malformed event with ProviderProtocolError", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, malformed: true });
    await expect(stream(model)).rejects.toBeInstanceOf(ProviderProtocolError);
  });
});

describe("embeddings", () => {
  it("sends the target's model and reads 512-dimension vectors", async () => {
    const model = uniqueModel("sim-embed");
    const target = simTarget(sim.url, "openai-compatible", model);
    const request: EmbeddingsRequest = { model: "embed-alias", input: ["first text", "second text"] };
    const response = await sendEmbeddingsRequest(openAiCompatibleAdapter, request, target, noSignal());
    expect(response.status).toBe(200);
    const embeddings = openAiCompatibleAdapter.mapEmbeddingsResponse?.(await response.json(), target);
    expect(embeddings?.data.map((item) => [item.index, Array.isArray(item.embedding) ? item.embedding.length : 0])).toEqual([
      [0, 512],
      [1, 512],
    ]);
    expect(embeddings?.model).toBe(model);
    const [logged] = await simLog(sim.url, model);
    expect(logged).toMatchObject({ path: "/v1/embeddings", body: { model } });
  });
});

describe("request mapping", () => {
  it("authenticates with the key as a bearer token, adds config headers, and joins the base URL without a double slash", () => {
    const target = { ...simTarget("http://127.0.0.1:1", "openai", "gpt-x"), baseUrl: "https://api.example.com/v1/", headers: { "HTTP-Referer": "https://app.example" } };
    const mapped = mapOpenAiRequest(chatRequest({ stream: true, stream_options: { include_usage: false } }), target);
    expect(mapped.url).toBe("https://api.example.com/v1/chat/completions");
    expect(mapped.headers).toMatchObject({ authorization: `Bearer ${API_KEY}`, "HTTP-Referer": "https://app.example", "content-type": "application/json" });
    expect(mapped.body).toMatchObject({ model: "gpt-x", stream: true, stream_options: { include_usage: true } });
    const keyless = mapOpenAiRequest(chatRequest({}), { ...target, apiKey: undefined });
    expect(keyless.headers.authorization).toBeUndefined();
    expect(keyless.body).not.toHaveProperty("stream_options");
    const unstreamed = mapOpenAiRequest(chatRequest({ stream: false, stream_options: { include_usage: true } }), target);
    expect(unstreamed.body).not.toHaveProperty("stream_options");
  });
});

describe("error bodies", () => {
  const target = simTarget("http://127.0.0.1:1", "openai", "gpt-x");

  it.each([
    [400, "invalid_request_error"],
    [422, "invalid_request_error"],
    [401, "authentication_error"],
    [403, "permission_error"],
    [404, "not_found_error"],
    [408, "timeout_error"],
    [504, "timeout_error"],
    [429, "rate_limit_error"],
    [500, "server_error"],
    [502, "service_unavailable"],
    [503, "service_unavailable"],
    [529, "service_unavailable"],
  ] as const)("maps status %i to %s", (status, type) => {
    expect(mapOpenAiStyleError(status, "{}", target).type).toBe(type);
  });

  it("reads OpenAI, Ollama and plain-text bodies, and never an HTML page", () => {
    expect(mapOpenAiStyleError(400, JSON.stringify({ error: { message: "Bad temperature", type: "invalid_request_error", code: "invalid_value" } }))).toEqual({
      message: "Bad temperature",
      type: "invalid_request_error",
      code: "invalid_value",
    });
    expect(mapOpenAiStyleError(404, JSON.stringify({ error: "model 'llama9' not found" })).message).toBe("model 'llama9' not found");
    expect(mapOpenAiStyleError(500, "upstream exploded\n  badly").message).toBe("upstream exploded badly");
    expect(mapOpenAiStyleError(502, "<html><body>Bad gateway</body></html>").message).toBe("Provider returned HTTP 502.");
    expect(mapOpenAiStyleError(503, "").message).toBe("Provider returned HTTP 503.");
  });

  it("redacts the target's key, bearer tokens and key-shaped strings from the message", () => {
    const oddKey = "tgp_v1_SECRETVALUE42";
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${oddKey}. Header was Bearer ${oddKey}; also sk-proj-abc1***wxyz.` } });
    const info = mapOpenAiStyleError(401, body, { ...target, apiKey: oddKey });
    expect(info.message).not.toContain("SECRETVALUE42");
    expect(info.message).not.toContain("sk-proj-abc1");
    expect(info.message).toContain("Incorrect API key provided: [REDACTED]");
    expect(mapOpenAiStyleError(401, JSON.stringify({ error: { message: `bad key ${API_KEY}` } })).message).toBe("bad key [REDACTED]");
    // A key of no known shape, mentioned in free text, is caught only because it is the target's key.
    const plain = mapOpenAiStyleError(403, JSON.stringify({ error: { message: `Key ${oddKey} is disabled` } }), { ...target, apiKey: oddKey });
    expect(plain.message).toBe("Key [REDACTED] is disabled");
  });
});
