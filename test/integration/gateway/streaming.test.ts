// The fault matrix, streaming: before the first token a failure can still fall back; after it, a
// cut, malformed event or idle gap ends the client's stream with an SSE error event and no [DONE].
import { beforeEach, describe, expect, it } from "vitest";
import { readSse } from "../../support/sse";
import { ask, chat, fault, resetSim, simCalls } from "../support";

beforeEach(resetSim);

type Chunk = { choices: Array<{ delta: { content?: string; role?: string }; finish_reason: string | null }>; usage?: unknown };

function streamOf(model: string, extra: Record<string, unknown> = {}) {
  return chat(ask(model, "Tell me a short story", { stream: true, ...extra }));
}

function dataEvents(events: Array<{ data: string }>): string[] {
  return events.map((event) => event.data);
}

/** The answer's text: the content deltas of every chunk, joined (chunk boundaries are the guardrail's to choose). */
function streamedContent(events: Array<{ data: string }>): string {
  return dataEvents(events)
    .filter((data) => data.startsWith("{"))
    .map((data) => (JSON.parse(data) as Partial<Chunk>).choices?.[0]?.delta.content ?? "")
    .join("");
}

describe("streaming through the gateway", () => {
  it("streams OpenAI chunks and ends with [DONE] when all is well", async () => {
    const response = await streamOf("t-stream");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-gateway-model")).toBe("t-st-a");
    const { events, ended } = await readSse(response);
    expect(ended).toBe("clean");
    const data = dataEvents(events);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line) as Chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(streamedContent(events)).toContain("[simulated t-st-a]");
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === "stop")).toBe(true);
    expect(chunks.every((chunk) => chunk.usage === undefined || chunk.usage === null)).toBe(true);
  });

  it("passes the usage chunk only when the client asked for it", async () => {
    const { events } = await readSse(await streamOf("t-stream", { stream_options: { include_usage: true } }));
    const last = JSON.parse(dataEvents(events).at(-2)!) as { choices: unknown[]; usage: { total_tokens: number } };
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
  });

  it("ends with an explicit error event and no [DONE] when the provider cuts the stream after the first token", async () => {
    await fault({ model: "t-st-a", cutAfterChunks: 3 });
    const response = await streamOf("t-stream");
    expect(response.status).toBe(200);
    const { events, ended } = await readSse(response);
    expect(ended).toBe("clean");
    const data = dataEvents(events);
    expect(data).not.toContain("[DONE]");
    const last = JSON.parse(data.at(-1)!) as { error: { code: string; type: string } };
    expect(last.error.code).toBe("stream_interrupted");
    expect(last.error.type).toBe("server_error");
    expect(await simCalls("t-st-a", "t-st-b")).toEqual({ "t-st-a": 1, "t-st-b": 0 });
  });

  it("falls back before the first token when the provider answers 503", async () => {
    await fault({ model: "t-st-a", status: 503 });
    const response = await streamOf("t-stream");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    const { events } = await readSse(response);
    expect(dataEvents(events).at(-1)).toBe("[DONE]");
    expect(streamedContent(events)).toContain("[simulated t-st-b]");
    expect(await simCalls("t-st-a", "t-st-b")).toEqual({ "t-st-a": 1, "t-st-b": 1 });
  });

  it("falls back when the stream is cut before any content (nothing reached the client yet)", async () => {
    await fault({ model: "t-st-a", cutAfterChunks: 1 });
    const response = await streamOf("t-stream");
    const { events } = await readSse(response);
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    expect(dataEvents(events).at(-1)).toBe("[DONE]");
  });

  it("falls back when the first token is later than the first-token timeout", async () => {
    await fault({ model: "t-to-a", firstTokenDelayMs: 2_000 });
    const started = performance.now();
    const response = await chat(ask("t-timeout", "hi", { stream: true }));
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    const { events } = await readSse(response);
    expect(dataEvents(events).at(-1)).toBe("[DONE]");
    expect(performance.now() - started).toBeLessThan(1_800);
  });

  it("falls back when a malformed event arrives before the first token", async () => {
    await fault({ model: "t-st-a", malformed: true });
    const response = await streamOf("t-stream");
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    const { events } = await readSse(response);
    expect(dataEvents(events).at(-1)).toBe("[DONE]");
    expect(await simCalls("t-st-a", "t-st-b")).toEqual({ "t-st-a": 1, "t-st-b": 1 });
  });

  it("answers a streaming request with a JSON error (not a stream) when every target fails before the first token", async () => {
    await fault({ model: "t-st-a", status: 503 });
    await fault({ model: "t-st-b", status: 503 });
    const response = await streamOf("t-stream");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toContain("application/json");
  });
});
