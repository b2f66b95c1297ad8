// The Anthropic stream mapper on hand-written event sequences: text and several tool_use blocks,
// ping and unknown events, usage from message_start/message_delta, and the failures (error event,
// non-JSON data, content before message_start, tool input for a non-tool block).
import { describe, expect, it } from "vitest";
import { createAnthropicStreamMapper } from "../../../../functions/gateway/providers/anthropic-stream";
import { ProviderProtocolError, type StreamStep } from "../../../../functions/gateway/providers/types";
import { API_KEY, chatRequest, simTarget, streamedToolCalls, summarise } from "./helpers";

const target = simTarget("http://127.0.0.1:1", "anthropic", "claude-test");
const NOW = 1_750_000_000_000;

const event = (type: string, fields: Record<string, unknown> = {}) => ({ event: type, data: JSON.stringify({ type, ...fields }) });
const start = event("message_start", { message: { id: "msg_1", type: "message", role: "assistant", model: "claude-test", content: [], usage: { input_tokens: 12, output_tokens: 1 } } });

function run(events: { event?: string; data: string }[], fields: Record<string, unknown> = {}): StreamStep[] {
  const mapper = createAnthropicStreamMapper(target, chatRequest({ stream: true, ...fields }), () => NOW);
  return events.map((item) => mapper.mapStreamChunk(item));
}

const textThenTwoTools = [
  start,
  event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  event("ping"),
  event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Checking " } }),
  event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "both." } }),
  event("content_block_stop", { index: 0 }),
  event("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_a", name: "lookup", input: {} } }),
  event("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }),
  event("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"q":' } }),
  event("content_block_start", { index: 2, content_block: { type: "tool_use", id: "toolu_b", name: "fetch", input: {} } }),
  event("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"url":"x"}' } }),
  event("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '"a"}' } }),
  event("some_future_event", { detail: 1 }),
  event("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 30 } }),
  event("message_stop"),
];

describe("Anthropic stream mapper", () => {
  it("maps text and interleaved tool_use blocks to OpenAI deltas with per-tool indexes", () => {
    const steps = run(textThenTwoTools);
    const summary = summarise(steps);
    expect(summary.chunks[0]).toEqual({
      id: "msg_1",
      object: "chat.completion.chunk",
      created: NOW / 1000,
      model: "claude-test",
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
    });
    expect(summary.content).toBe("Checking both.");
    expect(streamedToolCalls(summary.chunks)).toEqual([
      { id: "toolu_a", name: "lookup", arguments: '{"q":"a"}' },
      { id: "toolu_b", name: "fetch", arguments: '{"url":"x"}' },
    ]);
    expect(summary.finishReasons).toEqual(["tool_calls"]);
    expect(summary.usage).toEqual({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 });
    expect(steps.map((step) => step.done)).toEqual([...Array(textThenTwoTools.length - 1).fill(false), true]);
    // ping, block stops and unknown events yield nothing.
    expect(steps[2]).toEqual({ chunks: [], done: false });
    expect(steps[12]).toEqual({ chunks: [], done: false });
  });

  it("emits the usage chunk after the finish chunk only when the client asked", () => {
    const quiet = run(textThenTwoTools).at(-2);
    expect(quiet?.chunks).toHaveLength(1);
    const asked = run(textThenTwoTools, { stream_options: { include_usage: true } }).at(-2);
    expect(asked?.chunks.map((chunk) => [chunk.choices.length, chunk.usage ?? null])).toEqual([
      [1, null],
      [0, { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 }],
    ]);
  });

  it("maps stop reasons", () => {
    const finishOf = (stopReason: string) => summarise(run([start, event("message_delta", { delta: { stop_reason: stopReason }, usage: { output_tokens: 2 } })])).finishReasons;
    expect(finishOf("end_turn")).toEqual(["stop"]);
    expect(finishOf("stop_sequence")).toEqual(["stop"]);
    expect(finishOf("max_tokens")).toEqual(["length"]);
    expect(finishOf("tool_use")).toEqual(["tool_calls"]);
  });

  it("throws the error event's message, key redacted", () => {
    const failing = { event: "error", data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: `Overloaded (key ${API_KEY})` } }) };
    expect(() => run([start, failing])).toThrow(new ProviderProtocolError("The provider failed mid-stream: Overloaded (key [REDACTED])"));
  });

  it("refuses non-JSON data, content before message_start and tool input for a non-tool block", () => {
    expect(() => run([start, { event: "content_block_delta", data: "{broken" }])).toThrow(ProviderProtocolError);
    expect(() => run([event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "x" } })])).toThrow(/message_start/);
    expect(() => run([start, event("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: "{}" } })])).toThrow(/not a tool_use block/);
    expect(() => run([event("message_start", { message: { id: 1 } })])).toThrow(ProviderProtocolError);
  });
});
