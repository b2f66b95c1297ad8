import { describe, expect, it } from "vitest";
import { assembleCompletion, completionToSseStream } from "../../shared/completion-stream";
import type { ChatCompletion } from "../../shared/openai";
import { readSse } from "../support/sse";

const completion: ChatCompletion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "sim-primary",
  choices: [{ index: 0, message: { role: "assistant", content: "A fairly long answer that will need more than one replayed chunk to carry." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 5, completion_tokens: 18, total_tokens: 23 },
};

function sse(...events: string[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(events.map((data) => `data: ${data}\n\n`).join(""));
  return new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) });
}

describe("completion ⇄ SSE", () => {
  it("replays a completion as chunks ending in [DONE], usage only when asked", async () => {
    const { events } = await readSse(new Response(completionToSseStream(completion, false)));
    const data = events.map((event) => event.data);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line) as { choices: Array<{ delta: { content?: string } }>; usage?: unknown });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(completion.choices[0]!.message.content);
    expect(chunks.some((c) => c.usage)).toBe(false);
    const withUsage = (await readSse(new Response(completionToSseStream(completion, true)))).events.map((e) => e.data);
    expect(JSON.parse(withUsage.at(-2)!).usage).toEqual(completion.usage);
  });

  it("assembles what it replayed back into the same completion", async () => {
    expect(await assembleCompletion(completionToSseStream(completion, true))).toEqual(completion);
  });

  it("assembles streamed tool calls", async () => {
    const head = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
    const assembled = await assembleCompletion(
      sse(
        JSON.stringify({ ...head, choices: [{ index: 0, delta: { role: "assistant", tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }, finish_reason: null }] }),
        JSON.stringify({ ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }] }),
        JSON.stringify({ ...head, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }, finish_reason: "tool_calls" }] }),
        "[DONE]",
      ),
    );
    expect(assembled?.choices[0]?.message.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }]);
    expect(assembled?.choices[0]?.message.content).toBeNull();
  });

  it("refuses streams that did not finish cleanly: no [DONE], an error event, or no finish_reason", async () => {
    const head = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
    const partial = JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }] });
    const finished = JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }] });
    expect(await assembleCompletion(sse(partial, finished))).toBeUndefined();
    expect(await assembleCompletion(sse(partial, JSON.stringify({ error: { message: "cut", type: "server_error", param: null, code: "stream_interrupted" } })))).toBeUndefined();
    expect(await assembleCompletion(sse(partial, "[DONE]"))).toBeUndefined();
    expect((await assembleCompletion(sse(partial, finished, "[DONE]")))?.choices[0]?.message.content).toBe("Hello");
  });
});
