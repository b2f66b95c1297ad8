// Streams through the whole pipeline reach the client as the provider generates them, with the
// output guardrail on the way and with the cache storing the answer, and a client that leaves
// mid-stream stops the upstream call. (Both the edge's figures and the cache read a copy of the
// stream as it passes; a copy made with tee() held the client's bytes back until the end on workerd,
// and kept the upstream call running for the copy after the client had gone.)
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { readSseEvents } from "../../../shared/sse";
import { waitFor } from "../../../dev/ports";
import { ask, chat, fault, resetSim, simLogWhen, stack } from "../support";

beforeEach(resetSim);

/** The simulator's events come this far apart: a model generating slowly. */
const CHUNK_DELAY_MS = 80;

interface TimedEvent {
  data: string;
  /** ms after the request was sent. */
  at: number;
}

function contentOf(data: string): string {
  if (data === "[DONE]") return "";
  const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> };
  return chunk.choices?.[0]?.delta?.content ?? "";
}

async function timedEvents(response: Response, sent: number): Promise<TimedEvent[]> {
  const events: TimedEvent[] = [];
  for await (const event of readSseEvents(response.body!)) events.push({ data: event.data, at: Date.now() - sent });
  return events;
}

const story = () => `Tell me a short story (${randomUUID().slice(0, 8)})`;

describe("streams through the edge", () => {
  for (const [alias, upstream, what] of [
    ["t-slow-stream", "t-slow-a", "through the output guardrail"],
    ["t-slow-cache", "t-slow-cache-a", "while the cache stores the answer"],
  ] as const) {
    it(`reach the client as they are generated, ${what}`, async () => {
      await fault({ model: upstream, chunkDelayMs: CHUNK_DELAY_MS });
      const request = ask(alias, story(), { stream: true });
      const sent = Date.now();
      const response = await chat(request);
      expect(response.status).toBe(200);
      const events = await timedEvents(response, sent);
      expect(events.at(-1)?.data).toBe("[DONE]");
      const firstContent = events.find((event) => contentOf(event.data) !== "");
      // Held until the end, the first words and [DONE] would arrive together.
      expect(events.at(-1)!.at - firstContent!.at).toBeGreaterThanOrEqual(3 * CHUNK_DELAY_MS);
      if (alias !== "t-slow-cache") return;
      await resetSim();
      const cached = async () => {
        const again = await chat(request);
        await again.text();
        return (again.headers.get("x-gateway-cache") ?? "").startsWith("HIT");
      };
      await waitFor(cached, 5_000, "the streamed answer in the cache", 100);
    });
  }

  it("stop the upstream call when the client leaves mid-stream", async () => {
    await fault({ model: "t-slow-a", chunkDelayMs: 150 });
    const leave = new AbortController();
    const response = await fetch(`${stack.edgeUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(ask("t-slow-stream", story(), { stream: true })),
      signal: leave.signal,
    });
    expect(response.status).toBe(200);
    const reader = readSseEvents(response.body!);
    for await (const event of reader) if (contentOf(event.data) !== "") break;
    leave.abort();
    const log = await simLogWhen("t-slow-a", (entries) => entries.length === 1 && entries[0]!.clientLeft === true);
    expect(log).toHaveLength(1);
  });
});
