// The OpenAI-wire stream mapper on hand-written events: the end marker, error events mid-stream,
// unparsable data, and usage reported on a finish chunk (vLLM/Groq style) or a usage-only chunk.
import { describe, expect, it } from "vitest";
import { chunkJson } from "../../../../functions/gateway/providers/chunks";
import { createOpenAiStreamMapper } from "../../../../functions/gateway/providers/openai-stream";
import { ProviderProtocolError } from "../../../../functions/gateway/providers/types";
import { API_KEY, chatRequest, simTarget } from "./helpers";

const target = simTarget("http://127.0.0.1:1", "openai-compatible", "m");
const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
const data = (value: unknown) => ({ data: JSON.stringify(value) });
const head = { id: "c1", object: "chat.completion.chunk", created: 1, model: "m" };

describe("OpenAI stream mapper", () => {
  it("ends on [DONE], passes content chunks and skips empty keep-alive data", () => {
    const mapper = createOpenAiStreamMapper(target, chatRequest({ stream: true }));
    const step = mapper.mapStreamChunk(data({ ...head, choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] }));
    expect(step).toEqual({ chunks: [{ ...head, choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] }], done: false });
    expect(mapper.mapStreamChunk({ data: "" })).toEqual({ chunks: [], done: false });
    expect(mapper.mapStreamChunk({ data: "[DONE]" })).toEqual({ chunks: [], done: true });
  });

  it("throws the server's message (without the key) when an error event arrives mid-stream", () => {
    const mapper = createOpenAiStreamMapper(target, chatRequest({ stream: true }));
    expect(() => mapper.mapStreamChunk(data({ error: { message: `Worker crashed for key ${API_KEY}`, type: "server_error" } }))).toThrow(
      new ProviderProtocolError("The provider failed mid-stream: Worker crashed for key [REDACTED]"),
    );
    expect(() => mapper.mapStreamChunk({ event: "error", data: "upstream overloaded" })).toThrow(/upstream overloaded/);
    expect(() => mapper.mapStreamChunk(data({ error: "out of memory" }))).toThrow(/out of memory/);
  });

  it("throws ProviderProtocolError on data that is not JSON", () => {
    const mapper = createOpenAiStreamMapper(target, chatRequest({ stream: true }));
    expect(() => mapper.mapStreamChunk({ data: '{"id":"c1","choi' })).toThrow(ProviderProtocolError);
  });

  it("reports usage carried by a finish chunk and strips it for a client that did not ask", () => {
    const finish = { ...head, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage };
    const quiet = createOpenAiStreamMapper(target, chatRequest({ stream: true })).mapStreamChunk(data(finish));
    expect(quiet.usage).toEqual(usage);
    expect(quiet.chunks).toEqual([{ ...head, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }]);
    const asked = createOpenAiStreamMapper(target, chatRequest({ stream: true, stream_options: { include_usage: true } })).mapStreamChunk(data(finish));
    expect(asked.chunks[0]?.usage).toEqual(usage);
  });

  it("sends an exact chunk's JSON as the provider wrote it, cutting a trailing \"usage\":null for a client that did not ask for usage", () => {
    const sent = ' {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi \\u00e9"},"finish_reason":null}],"usage":null} ';
    const [asked] = createOpenAiStreamMapper(target, chatRequest({ stream: true, stream_options: { include_usage: true } })).mapStreamChunk({ data: sent }).chunks;
    expect(chunkJson(asked!)).toBe(sent.trim());
    const [quiet] = createOpenAiStreamMapper(target, chatRequest({ stream: true })).mapStreamChunk({ data: sent }).chunks;
    expect(chunkJson(quiet!)).toBe(sent.trim().replace(',"usage":null}', "}"));
    expect(JSON.parse(chunkJson(quiet!))).toEqual({ ...head, choices: [{ index: 0, delta: { content: "Hi é" }, finish_reason: null }] });
    // usage:null elsewhere than last, a chunk normalising changes, data of two lines, a copy: serialised again.
    const notLast = '{"id":"c1","object":"chat.completion.chunk","usage":null,"created":1,"model":"m","choices":[]}';
    expect(chunkJson(createOpenAiStreamMapper(target, chatRequest({ stream: true })).mapStreamChunk({ data: notLast }).chunks[0]!)).toBe(JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [] }));
    const filled = '{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}';
    expect(chunkJson(createOpenAiStreamMapper(target, chatRequest({ stream: true })).mapStreamChunk({ data: filled }).chunks[0]!)).toMatch(/^\{"choices":.*"id":"chatcmpl-/);
    const twoLines = '{"id":"c1","object":"chat.completion.chunk","created":1,\n"model":"m","choices":[]}';
    expect(chunkJson(createOpenAiStreamMapper(target, chatRequest({ stream: true })).mapStreamChunk({ data: twoLines }).chunks[0]!)).not.toContain("\n");
    expect(chunkJson({ ...asked!, model: "changed" })).toContain('"model":"changed"');
  });

  it("drops the usage-only chunk unless the client asked, reporting usage either way", () => {
    const usageOnly = data({ ...head, choices: [], usage });
    expect(createOpenAiStreamMapper(target, chatRequest({ stream: true })).mapStreamChunk(usageOnly)).toEqual({ chunks: [], done: false, usage });
    const asked = createOpenAiStreamMapper(target, chatRequest({ stream: true, stream_options: { include_usage: true } })).mapStreamChunk(usageOnly);
    expect(asked).toEqual({ chunks: [{ ...head, choices: [], usage }], done: false, usage });
  });
});
