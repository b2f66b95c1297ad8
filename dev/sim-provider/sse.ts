// Server-sent events as both wires frame them: OpenAI sends bare `data:` lines ending in
// `data: [DONE]`; Anthropic sends `event: <type>` + `data: <json>` pairs ending in message_stop.
export interface SseEvent {
  event?: string;
  data: string;
}

export function formatSse(event: SseEvent): string {
  const head = event.event === undefined ? "" : `event: ${event.event}\n`;
  return `${head}data: ${event.data}\n\n`;
}

export function jsonEvent(data: unknown, event?: string): SseEvent {
  return event === undefined ? { data: JSON.stringify(data) } : { event, data: JSON.stringify(data) };
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
} as const;

/**
 * What a model route answers once faults before the response (latency, hang, status) are done:
 * one JSON body, or a stream of events whose last one is the terminal marker.
 */
export type Plan = { kind: "json"; body: unknown } | { kind: "stream"; events: SseEvent[] };
