// The Workers AI adapter against a small stand-in for the `AI` binding (the binding boundary is the
// one place a stand-in is fine): the AI.run input it receives, results and SSE streams mapped to
// OpenAI shapes, binding failures as HTTP-like answers, aborts, and the inputs refused with a 400.
import { GatewayError, type SseEvent } from "@llm-edge/shared";
import { describe, expect, it } from "vitest";
import { sendProviderRequest } from "../../../../functions/gateway/providers/transport";
import { ProviderProtocolError, type ResolvedTarget } from "../../../../functions/gateway/providers/types";
import { workersAiAdapter } from "../../../../functions/gateway/providers/workers-ai";
import { chatRequest, streamSteps, streamedToolCalls, summarise } from "./helpers";

const MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const target: ResolvedTarget = { id: `wai/${MODEL}`, provider: "wai", type: "workers-ai", model: MODEL };

interface RunCall {
  model: string;
  inputs: Record<string, unknown>;
  options: { signal?: AbortSignal } | undefined;
}

/** Stands in for the AI binding: records each run() and answers with `answer`. */
class FakeAi {
  readonly calls: RunCall[] = [];
  constructor(private readonly answer: (inputs: Record<string, unknown>) => unknown) {}

  async run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown> {
    this.calls.push({ model, inputs, options });
    return this.answer(inputs);
  }

  binding(): Ai {
    return this as unknown as Ai;
  }
}

function sseStream(events: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const data of events) controller.enqueue(encoder.encode(`data: ${data}\n\n`));
      controller.close();
    },
  });
}

const noSignal = () => new AbortController().signal;
const send = (ai: FakeAi | undefined, fields: Record<string, unknown>, signal = noSignal()) =>
  sendProviderRequest(workersAiAdapter, chatRequest(fields), target, ai ? { AI: ai.binding() } : {}, signal);

describe("requests", () => {
  it("runs the target's model with Workers AI's input format", async () => {
    const ai = new FakeAi(() => ({ response: "ok" }));
    const tools = [{ type: "function", function: { name: "lookup", description: "Find", parameters: { type: "object", properties: {} } } }];
    await send(ai, {
      messages: [
        { role: "developer", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Hi " }, { type: "text", text: "there" }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "found" },
      ],
      max_tokens: 500,
      max_completion_tokens: 200,
      temperature: 0.2,
      tools,
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } },
      user: "u1",
    });
    expect(ai.calls).toHaveLength(1);
    expect(ai.calls[0]?.model).toBe(MODEL);
    expect(ai.calls[0]?.options?.signal).toBeInstanceOf(AbortSignal);
    expect(ai.calls[0]?.inputs).toEqual({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi there" },
        { role: "assistant", content: "", tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
        { role: "tool", content: "found", tool_call_id: "c1" },
      ],
      stream: false,
      max_tokens: 200,
      temperature: 0.2,
      tools,
      response_format: { type: "json_schema", json_schema: { type: "object" } },
    });
  });

  it("refuses n > 1 and image content with a 400 before calling the binding", async () => {
    const ai = new FakeAi(() => ({ response: "never" }));
    await expect(send(ai, { n: 2 })).rejects.toMatchObject({ status: 400, param: "n" });
    const image = { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] }] };
    await expect(send(ai, image)).rejects.toMatchObject({ status: 400, param: "messages[0].content[0]" });
    expect(ai.calls).toHaveLength(0);
  });

  it("says the binding is not configured when there is none", async () => {
    const failure = send(undefined, {});
    await expect(failure).rejects.toBeInstanceOf(GatewayError);
    await expect(failure).rejects.toMatchObject({ type: "service_unavailable", message: "Workers AI binding not configured" });
  });
});

describe("answers", () => {
  it("wraps a text result as JSON and maps it to a chat completion with usage", async () => {
    const ai = new FakeAi(() => ({ response: "Hello from the edge.", usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } }));
    const response = await send(ai, {});
    expect(response.status).toBe(200);
    const completion = workersAiAdapter.mapResponse(await response.json(), target, chatRequest({}));
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: MODEL,
      choices: [{ index: 0, message: { role: "assistant", content: "Hello from the edge." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 },
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
  });

  it("maps tool calls (object arguments) to OpenAI tool_calls whose arguments parse", async () => {
    const ai = new FakeAi(() => ({ response: null, tool_calls: [{ name: "lookup", arguments: { q: "edge", limit: 3 } }] }));
    const completion = workersAiAdapter.mapResponse(await (await send(ai, {})).json(), target, chatRequest({}));
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls?.[0]?.function.name).toBe("lookup");
    expect(JSON.parse(choice?.message.tool_calls?.[0]?.function.arguments ?? "")).toEqual({ q: "edge", limit: 3 });
  });

  it("serialises a JSON-mode object response, reads OpenAI-shaped results, and refuses other shapes", async () => {
    const json = workersAiAdapter.mapResponse({ response: { answer: 42 } }, target, chatRequest({}));
    expect(json.choices[0]?.message.content).toBe('{"answer":42}');
    const openAiShaped = workersAiAdapter.mapResponse(
      { id: "x", object: "chat.completion", created: 1, model: MODEL, choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] },
      target,
      chatRequest({}),
    );
    expect(openAiShaped.choices[0]?.message.content).toBe("hi");
    expect(() => workersAiAdapter.mapResponse({ result: "?" }, target, chatRequest({}))).toThrow(ProviderProtocolError);
  });

  it("turns a binding error into the HTTP answer its Workers AI code stands for", async () => {
    const capacity = new FakeAi(() => Promise.reject(new Error("AiError: 3040: Capacity temporarily exceeded, please try again.")));
    const response = await send(capacity, {});
    expect(response.status).toBe(429);
    const info = workersAiAdapter.mapError(response.status, await response.text(), target);
    expect(info).toEqual({ type: "rate_limit_error", code: "3040", message: "AiError: 3040: Capacity temporarily exceeded, please try again." });
    const noModel = await send(new FakeAi(() => Promise.reject(new Error("5007: No such model"))), {});
    expect(noModel.status).toBe(400);
    const unknown = await send(new FakeAi(() => Promise.reject(new Error("socket hang up"))), {});
    expect(workersAiAdapter.mapError(unknown.status, await unknown.text(), target).type).toBe("service_unavailable");
  });

  it("rejects with the abort reason when the signal fires, even if the binding ignores it", async () => {
    const hanging = new FakeAi(() => new Promise(() => {}));
    const controller = new AbortController();
    const pending = send(hanging, {}, controller.signal);
    controller.abort(new Error("first-token deadline"));
    await expect(pending).rejects.toThrow("first-token deadline");
  });
});

describe("streams", () => {
  const pieces = [
    JSON.stringify({ response: "Hello", p: "abc" }),
    JSON.stringify({ response: " from" }),
    JSON.stringify({ response: " the edge." }),
    JSON.stringify({ response: "", usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } }),
    "[DONE]",
  ];

  async function streamOf(events: string[], fields: Record<string, unknown> = {}) {
    const ai = new FakeAi(() => sseStream(events));
    const request = chatRequest({ stream: true, ...fields });
    const response = await sendProviderRequest(workersAiAdapter, request, target, { AI: ai.binding() }, noSignal());
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(ai.calls[0]?.inputs.stream).toBe(true);
    return streamSteps(response, workersAiAdapter.createStreamMapper(target, request));
  }

  it("maps text pieces to chunks with the role first, a finish chunk and usage, without a usage chunk", async () => {
    const summary = summarise(await streamOf(pieces));
    expect(summary.chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "Hello" });
    expect(summary.content).toBe("Hello from the edge.");
    expect(summary.finishReasons).toEqual(["stop"]);
    expect(summary.usage).toEqual({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 });
    expect(summary.done).toBe(true);
    expect(summary.chunks.some((chunk) => chunk.choices.length === 0)).toBe(false);
    expect(new Set(summary.chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("ends with the usage chunk when the client asked for include_usage", async () => {
    const summary = summarise(await streamOf(pieces, { stream_options: { include_usage: true } }));
    expect(summary.chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 13 } });
  });

  it("maps streamed tool calls and finishes with tool_calls", async () => {
    const summary = summarise(await streamOf([JSON.stringify({ response: "", tool_calls: [{ name: "lookup", arguments: { q: "x" } }] }), "[DONE]"]));
    const [call] = streamedToolCalls(summary.chunks);
    expect(call?.name).toBe("lookup");
    expect(JSON.parse(call?.arguments ?? "")).toEqual({ q: "x" });
    expect(summary.finishReasons).toEqual(["tool_calls"]);
  });

  it("passes OpenAI-shaped streams through the OpenAI mapper", async () => {
    const chunk = { id: "c", object: "chat.completion.chunk", created: 1, model: MODEL, choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: "stop" }] };
    const summary = summarise(await streamOf([JSON.stringify(chunk), "[DONE]"]));
    expect(summary.content).toBe("Hi");
    expect(summary.finishReasons).toEqual(["stop"]);
  });

  it("fails on an error event or non-JSON data", () => {
    const mapper = () => workersAiAdapter.createStreamMapper(target, chatRequest({ stream: true }));
    const error: SseEvent = { data: JSON.stringify({ error: "3040: out of capacity" }) };
    expect(() => mapper().mapStreamChunk(error)).toThrow(/out of capacity/);
    expect(() => mapper().mapStreamChunk({ data: "{nope" })).toThrow(ProviderProtocolError);
  });
});
