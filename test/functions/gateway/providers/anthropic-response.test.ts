// Anthropic Messages answers → OpenAI chat completions: mixed text/tool_use/thinking blocks, stop
// reasons, usage, the injected clock for `created`, and bodies refused as protocol errors.
import { describe, expect, it } from "vitest";
import { finishReasonFor, toChatCompletion } from "../../../../functions/gateway/providers/anthropic-response";
import { ProviderProtocolError } from "../../../../functions/gateway/providers/types";

const message = (fields: Record<string, unknown>) => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-test",
  content: [{ type: "text", text: "Hello" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 0 },
  ...fields,
});

describe("Anthropic answers", () => {
  it("joins text blocks, turns tool_use into tool_calls and skips thinking blocks", () => {
    const completion = toChatCompletion(
      message({
        content: [
          { type: "thinking", thinking: "hmm", signature: "s" },
          { type: "text", text: "Let me " },
          { type: "text", text: "check." },
          { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "x", n: 2 } },
        ],
        stop_reason: "tool_use",
      }),
      1_750_000_000_999,
    );
    expect(completion).toEqual({
      id: "msg_1",
      object: "chat.completion",
      created: 1_750_000_000,
      model: "claude-test",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "Let me check.", tool_calls: [{ id: "toolu_1", type: "function", function: { name: "lookup", arguments: '{"q":"x","n":2}' } }] },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
    });
  });

  it("gives an empty answer empty content", () => {
    expect(toChatCompletion(message({ content: [] })).choices[0]?.message.content).toBe("");
  });

  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    [null, null],
  ] as const)("maps stop_reason %s to %s", (stopReason, expected) => {
    expect(finishReasonFor(stopReason)).toBe(expected);
  });

  it.each([
    ["a non-object", "nope"],
    ["a missing usage", message({ usage: undefined })],
    ["a text block without text", message({ content: [{ type: "text" }] })],
    ["a tool_use block without a name", message({ content: [{ type: "tool_use", id: "t", input: {} }] })],
    ["content that is not a list", message({ content: "Hello" })],
  ])("refuses %s", (_case, body) => {
    expect(() => toChatCompletion(body)).toThrow(ProviderProtocolError);
  });
});
