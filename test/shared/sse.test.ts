import { describe, expect, it } from "vitest";
import { encodeSseEvent, readSseEvents, type SseEvent } from "../../shared/sse";

function streamOf(...chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSseEvents(stream)) events.push(event);
  return events;
}

describe("readSseEvents", () => {
  it("parses data, event and id fields, joins multi-line data and skips comments", async () => {
    expect(await all(streamOf(": keep-alive\n\nid: 7\nevent: delta\ndata: one\ndata: two\n\ndata: [DONE]\n\n"))).toEqual([
      { id: "7", event: "delta", data: "one\ntwo" },
      { id: "7", data: "[DONE]" },
    ]);
  });

  it("yields comment lines only when asked, and encodes them back as comments", async () => {
    const events: SseEvent[] = [];
    for await (const event of readSseEvents(streamOf("data: a\n\n: x-gateway-cost-usd=0.0012\n\ndata: [DONE]\n\n"), { comments: true })) events.push(event);
    expect(events).toEqual([{ data: "a" }, { data: "", comment: "x-gateway-cost-usd=0.0012" }, { data: "[DONE]" }]);
    expect(encodeSseEvent(events[1]!)).toBe(": x-gateway-cost-usd=0.0012\n\n");
  });

  it("handles CRLF and CR line endings, also when \\r\\n is split across chunks", async () => {
    expect(await all(streamOf("data: a\r", "\n\r\ndata: b\r\r"))).toEqual([{ data: "a" }, { data: "b" }]);
  });

  it("decodes a multi-byte character split across chunks", async () => {
    const bytes = new TextEncoder().encode("data: café ☕\n\n");
    const cut = bytes.indexOf(0xe2) + 1; // inside the 3-byte "☕"
    expect(await all(streamOf(bytes.slice(0, cut), bytes.slice(cut)))).toEqual([{ data: "café ☕" }]);
  });

  it("never yields half an event from a stream cut before its blank line", async () => {
    expect(await all(streamOf("data: complete\n\ndata: half"))).toEqual([{ data: "complete" }]);
  });

  it("rethrows the error of a broken stream", async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("data: x\n\n"));
        controller.error(new Error("connection reset"));
      },
    });
    await expect(all(broken)).rejects.toThrow("connection reset");
  });

  it("cancels the stream at once when its signal aborts while a read is pending, and ends", async () => {
    let cancelled: unknown = "not cancelled";
    const silent = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("data: first\n\n"));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const stop = new AbortController();
    const events = readSseEvents(silent, { signal: stop.signal });
    expect((await events.next()).value).toEqual({ data: "first" });
    const pending = events.next();
    stop.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(cancelled).toBeUndefined();
  });

  it("round-trips what encodeSseEvent writes", async () => {
    const event = { event: "message", id: "3", data: "line 1\nline 2" };
    expect(await all(streamOf(encodeSseEvent(event)))).toEqual([event]);
  });
});
