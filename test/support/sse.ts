// Test helper: reads a fetch Response body as server-sent events (with the shared parser) and
// reports how the stream ended ("clean" = the body finished normally, "error" = it broke mid-stream).
import { readSseEvents, type SseEvent } from "../../shared/sse";

export type SseMessage = SseEvent;

export interface SseReadResult {
  events: SseMessage[];
  ended: "clean" | "error";
}

/** Reads every complete SSE message of `response` until the body ends or breaks. */
export async function readSse(response: Response): Promise<SseReadResult> {
  const events: SseMessage[] = [];
  if (!response.body) return { events, ended: "clean" };
  try {
    for await (const event of readSseEvents(response.body)) events.push(event);
    return { events, ended: "clean" };
  } catch {
    return { events, ended: "error" };
  }
}
