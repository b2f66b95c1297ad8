// Reading the OpenAI wire from imperfect servers: what is filled in, what passes through untouched,
// which finish reasons are translated, and which bodies are refused as protocol errors.
import { describe, expect, it } from "vitest";
import { normaliseChatCompletionChunk, readChatCompletion, readChatCompletionChunk, readEmbeddingsResponse, toOpenAiFinishReason } from "../../../../functions/gateway/providers/openai-wire";
import { ProviderProtocolError } from "../../../../functions/gateway/providers/types";
import { simTarget } from "./helpers";

const target = simTarget("http://127.0.0.1:1", "openai-compatible", "llama3.2");

describe("chat completion bodies", () => {
  it("keeps provider extras (top level and inside the message) as sent", () => {
    const body = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "deepseek-reasoner",
      choices: [{ index: 0, message: { role: "assistant", content: "42", reasoning_content: "thinking…" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } },
      x_groq: { id: "req_1" },
    };
    const completion = readChatCompletion(body, target);
    expect(completion).toEqual(body);
  });

  it("fills what small servers leave out and accepts their variations", () => {
    const completion = readChatCompletion(
      {
        choices: [
          {
            message: { tool_calls: [{ function: { name: "lookup", arguments: { q: "x" } } }] },
            finish_reason: "tool_calls",
          },
        ],
        usage: null,
      },
      target,
    );
    expect(completion.model).toBe("llama3.2");
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.created).toBeGreaterThan(1_700_000_000);
    expect(completion.usage).toBeUndefined();
    const message = completion.choices[0]?.message;
    expect(message?.role).toBe("assistant");
    expect(message?.content).toBeNull();
    expect(message?.tool_calls?.[0]).toMatchObject({ type: "function", id: expect.stringMatching(/^call_/), function: { name: "lookup", arguments: '{"q":"x"}' } });
  });

  it("joins content given as parts and drops an empty tool_calls list", () => {
    const completion = readChatCompletion(
      { choices: [{ message: { role: "assistant", content: [{ type: "thinking", thinking: "…" }, { type: "text", text: "Hi" }], tool_calls: [] }, finish_reason: "stop" }] },
      target,
    );
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: "Hi" });
  });

  it.each([
    ["stop", "stop"],
    ["length", "length"],
    ["model_length", "length"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["end_turn", "stop"],
    ["eos", "stop"],
  ] as const)("translates finish reason %s to %s", (reason, expected) => {
    expect(toOpenAiFinishReason(reason)).toBe(expected);
  });

  it.each([
    ["not an object", "oops"],
    ["no choices", { id: "x" }],
    ["a message that is not an object", { choices: [{ message: 42, finish_reason: "stop" }] }],
    ["content of the wrong type", { choices: [{ message: { role: "assistant", content: 7 }, finish_reason: "stop" }] }],
    ["usage with text counts", { choices: [{ message: { content: "a" } }], usage: { prompt_tokens: "3", completion_tokens: 1, total_tokens: 4 } }],
  ])("refuses %s as a protocol error", (_case, body) => {
    expect(() => readChatCompletion(body, target)).toThrow(ProviderProtocolError);
  });
});

describe("stream chunks", () => {
  it("fills id, object, created and model, and keeps delta extras", () => {
    const chunk = readChatCompletionChunk({ choices: [{ delta: { content: "Hi", reasoning: "r" }, finish_reason: null }] }, target);
    expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "llama3.2", choices: [{ index: 0, delta: { content: "Hi", reasoning: "r" }, finish_reason: null }] });
    expect(chunk.id).toMatch(/^chatcmpl-/);
  });

  it("gives tool-call deltas their position as index and stringifies object arguments", () => {
    const chunk = readChatCompletionChunk({ choices: [{ delta: { role: null, tool_calls: [{ function: { name: "f", arguments: { a: 1 } } }] }, finish_reason: "tool_calls" }] }, target);
    expect(chunk.choices[0]?.delta).toEqual({ tool_calls: [{ index: 0, function: { name: "f", arguments: '{"a":1}' } }] });
  });

  it("refuses a chunk without choices", () => {
    expect(() => readChatCompletionChunk({ id: "x", object: "chat.completion.chunk" }, target)).toThrow(ProviderProtocolError);
  });

  it("passes an exact chunk through as the same object, and reads every variant as normalising would", () => {
    const exact = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1_700_000_000, model: "m", choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] };
    expect(readChatCompletionChunk(exact, target)).toBe(exact);
    // Each field of a chunk in turn takes each of these values (absent, null, odd types, edge cases).
    const variants: Record<string, unknown[]> = {
      id: [undefined, null, 7, "chatcmpl-2"],
      object: [undefined, null, "chat.completion", "chat.completion.chunk"],
      created: [undefined, null, 1.5, "1", 2 ** 60, -3, 0],
      model: [undefined, null, 3, "other"],
      usage: [undefined, null, {}, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }, "none"],
      extra: [undefined, null, { x: 1 }],
      index: [undefined, null, 1, 0.5, "0", 2 ** 60],
      delta: [undefined, null, {}, "text", []],
      role: [undefined, null, "assistant", "user", 1],
      content: [undefined, null, "", "Hi", ["a"], [{ type: "text", text: "a" }], 5],
      tool_calls: [undefined, null, [], [{ index: 0, function: { arguments: "{}" } }], [{ function: { arguments: { a: 1 } } }]],
      finish_reason: [undefined, null, "stop", "length", "end_turn", "max_tokens", 3],
      reasoning: [undefined, null, "r"],
    };
    const build = (field: string, value: unknown): unknown => {
      const delta: Record<string, unknown> = { role: "assistant", content: "Hi" };
      const choice: Record<string, unknown> = { index: 0, delta, finish_reason: null, logprobs: null };
      const chunk: Record<string, unknown> = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1_700_000_000, model: "m", choices: [choice] };
      const owner = ["role", "content", "tool_calls", "reasoning"].includes(field) ? delta : ["index", "delta", "finish_reason"].includes(field) ? choice : chunk;
      if (value === undefined) delete owner[field];
      else owner[field] = value;
      return chunk;
    };
    const outcome = (read: () => unknown) => {
      try {
        return { ok: true, json: JSON.stringify(read(), (key, value: unknown) => (key === "id" && typeof value === "string" && value.startsWith("chatcmpl-") && value.length > 20 ? "generated" : key === "created" && value === undefined ? "now" : value)) };
      } catch (error) {
        return { ok: false, error: error instanceof ProviderProtocolError };
      }
    };
    let passedThrough = 0;
    for (const [field, values] of Object.entries(variants)) {
      for (const value of values) {
        const chunk = build(field, value);
        const fast = outcome(() => readChatCompletionChunk(chunk, target));
        const full = outcome(() => normaliseChatCompletionChunk(structuredClone(chunk), target));
        expect({ field, value, ...fast }).toEqual({ field, value, ...full });
        try {
          if (readChatCompletionChunk(chunk, target) === chunk) passedThrough++;
        } catch {
          // refused by both, checked above
        }
      }
    }
    expect(passedThrough).toBeGreaterThan(15);
  });
});

describe("embeddings bodies", () => {
  it("fills object fields and a missing usage (llama.cpp)", () => {
    const response = readEmbeddingsResponse({ data: [{ embedding: [0.1, 0.2] }] }, target);
    expect(response).toEqual({ object: "list", model: "llama3.2", usage: { prompt_tokens: 0, total_tokens: 0 }, data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }] });
  });

  it("refuses vectors that are not numbers", () => {
    expect(() => readEmbeddingsResponse({ data: [{ embedding: [{}] }] }, target)).toThrow(ProviderProtocolError);
    expect(() => readEmbeddingsResponse({ object: "list" }, target)).toThrow(ProviderProtocolError);
  });
});
