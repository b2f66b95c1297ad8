// The Anthropic adapter against the simulator's Messages wire over real HTTP: the body Anthropic
// receives (system, content blocks, tools, tool history), answers and streams mapped to OpenAI shapes,
// stop reasons, Anthropic error bodies explained without the key, and malformed streams.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../../dev/sim-provider/server";
import { anthropicAdapter, mapAnthropicError } from "../../../../functions/gateway/providers/anthropic";
import { sendProviderRequest } from "../../../../functions/gateway/providers/transport";
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
const PIXEL = "iVBORw0KGgo=";

let sim: SimProvider;

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

const complete = (model: string, fields: Record<string, unknown> = {}) => completeVia(anthropicAdapter, sim.url, model, fields);
const stream = (model: string, fields: Record<string, unknown> = {}) => streamVia(anthropicAdapter, sim.url, model, fields);

describe("requests as Anthropic receives them", () => {
  it("hoists system messages and translates multi-part user content", async () => {
    const model = uniqueModel("sim-claude");
    await complete(model, {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these pictures?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PIXEL}` } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
      temperature: 1.5,
      stop: "END",
      user: "user-7",
    });
    const [logged] = await simLog(sim.url, model);
    expect(logged?.path).toBe("/v1/messages");
    expect(logged?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(logged?.body).toEqual({
      model,
      max_tokens: 4096,
      system: "Be brief.\n\nAnswer in English.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these pictures?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PIXEL } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
      temperature: 1,
      stop_sequences: ["END"],
      metadata: { user_id: "user-7" },
    });
  });

  it("sends tools and a tool-call history as tool_use and tool_result blocks", async () => {
    const model = uniqueModel("sim-claude");
    const completion = await complete(model, {
      tools: [weatherTool],
      tool_choice: "auto",
      messages: [
        { role: "user", content: "Weather in Oslo and Bergen?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo","days":1}' } },
            { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Bergen","days":1}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "Oslo: 3°C" },
        { role: "tool", tool_call_id: "call_2", content: "Bergen: rain" },
      ],
    });
    const [logged] = await simLog(sim.url, model);
    expect(logged?.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Oslo and Bergen?" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Oslo", days: 1 } },
          { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Bergen", days: 1 } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "Oslo: 3°C" },
          { type: "tool_result", tool_use_id: "call_2", content: "Bergen: rain" },
        ],
      },
    ]);
    expect(logged?.body.tools).toEqual([{ name: "get_weather", description: "Current weather for a city", input_schema: weatherTool.function.parameters }]);
    expect(logged?.body.tool_choice).toEqual({ type: "auto" });
    // After tool results the (simulated) model answers in text, which it saw.
    expect(completion.choices[0]?.message.content).toContain("Bergen: rain");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });
});

describe("answers mapped to OpenAI", () => {
  it("maps a text answer with id, model and usage", async () => {
    const model = uniqueModel("sim-claude");
    const completion = await complete(model);
    expect(completion.id).toMatch(/^msg_/);
    expect(completion.model).toBe(model);
    expect(completion.object).toBe("chat.completion");
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(60);
    expect(completion.choices[0]?.message.content).toMatch(new RegExp(`^\\[simulated ${model}\\]`));
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it("maps tool_use to tool_calls with arguments that parse", async () => {
    const model = uniqueModel("sim-claude");
    const completion = await complete(model, { tools: [weatherTool], tool_choice: { type: "function", function: { name: "get_weather" } } });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls?.[0]).toMatchObject({ id: expect.stringMatching(/^toolu_/), type: "function", function: { name: "get_weather" } });
    expect(JSON.parse(choice?.message.tool_calls?.[0]?.function.arguments ?? "")).toMatchObject({ city: expect.any(String), days: expect.any(Number) });
    const [logged] = await simLog(sim.url, model);
    expect(logged?.body.tool_choice).toEqual({ type: "tool", name: "get_weather" });
  });

  it("maps max_tokens to finish_reason length", async () => {
    const model = uniqueModel("sim-claude");
    const completion = await complete(model, { max_completion_tokens: 3 });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(3);
  });
});

describe("streams mapped to OpenAI chunks", () => {
  it("opens with the assistant role, joins to the same text, finishes and reports usage without a usage chunk", async () => {
    const model = uniqueModel("sim-claude");
    const whole = await complete(model);
    const summary = summarise(await stream(model));
    expect(summary.chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const firstId = summary.chunks[0]?.id;
    expect(firstId).toMatch(/^msg_/);
    expect(summary.chunks.every((chunk) => chunk.id === firstId && chunk.model === model)).toBe(true);
    expect(summary.content).toBe(whole.choices[0]?.message.content);
    expect(summary.finishReasons).toEqual(["stop"]);
    expect(summary.usage).toEqual(whole.usage);
    expect(summary.done).toBe(true);
    expect(summary.chunks.some((chunk) => chunk.choices.length === 0 || chunk.usage)).toBe(false);
  });

  it("adds the usage chunk last when the client asked for include_usage", async () => {
    const model = uniqueModel("sim-claude");
    const summary = summarise(await stream(model, { stream_options: { include_usage: true } }));
    expect(summary.chunks.at(-1)).toMatchObject({ choices: [], usage: summary.usage });
    expect(summary.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("streams a tool call as indexed tool_calls deltas whose arguments parse", async () => {
    const model = uniqueModel("sim-claude");
    const summary = summarise(await stream(model, { tools: [weatherTool], tool_choice: "required" }));
    const calls = streamedToolCalls(summary.chunks);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: expect.stringMatching(/^toolu_/), name: "get_weather" });
    expect(JSON.parse(calls[0]?.arguments ?? "")).toMatchObject({ city: expect.any(String) });
    expect(summary.finishReasons).toEqual(["tool_calls"]);
  });

  it("reports a max_tokens cut as length", async () => {
    const model = uniqueModel("sim-claude");
    expect(summarise(await stream(model, { max_tokens: 2 })).finishReasons).toEqual(["length"]);
  });

  it("fails on a malformed event with ProviderProtocolError", async () => {
    const model = uniqueModel("sim-claude");
    await setFault(sim.url, { model, malformed: true });
    await expect(stream(model)).rejects.toBeInstanceOf(ProviderProtocolError);
  });
});

describe("errors", () => {
  it.each([
    [429, "rate_limit_error", "rate_limit_error"],
    [503, "service_unavailable", "api_error"],
    [529, "service_unavailable", "overloaded_error"],
  ] as const)("explains a simulated %i as %s without the key", async (status, type, code) => {
    const model = uniqueModel("sim-claude");
    await setFault(sim.url, { model, status });
    const target = simTarget(sim.url, "anthropic", model);
    const response = await sendProviderRequest(anthropicAdapter, chatRequest({}), target, {}, noSignal());
    expect(response.status).toBe(status);
    const info = anthropicAdapter.mapError(status, await response.text(), target);
    expect(info).toMatchObject({ type, code });
    expect(info.message).toMatch(/^\[simulated\]/);
    expect(info.message).not.toContain(API_KEY);
  });

  it("explains Anthropic's own error types and redacts an echoed key", () => {
    const body = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message } });
    expect(mapAnthropicError(400, body("invalid_request_error", "messages: roles must alternate"))).toEqual({
      type: "invalid_request_error",
      code: "invalid_request_error",
      message: "messages: roles must alternate",
    });
    expect(mapAnthropicError(401, body("authentication_error", `invalid x-api-key ${API_KEY}`)).message).toBe("invalid x-api-key [REDACTED]");
    expect(mapAnthropicError(500, body("api_error", "Internal error")).type).toBe("server_error");
    // The error type wins over the status: an overload relayed as a 500 is still an overload.
    expect(mapAnthropicError(500, body("overloaded_error", "Overloaded")).type).toBe("service_unavailable");
    expect(mapAnthropicError(404, body("not_found_error", "model: claude-9")).type).toBe("not_found_error");
    expect(mapAnthropicError(502, "<html>bad gateway</html>")).toEqual({ type: "service_unavailable", code: null, message: "Provider returned HTTP 502." });
  });
});
