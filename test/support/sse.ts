// Test helper: reads a fetch Response body as server-sent events and reports how the stream ended
// ("clean" = the body finished normally, "error" = the connection broke mid-stream).
export interface SseMessage {
  event?: string;
  data: string;
}

export interface SseReadResult {
  events: SseMessage[];
  ended: "clean" | "error";
}

function parseBlock(block: string): SseMessage | undefined {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return undefined;
  return event === undefined ? { data: data.join("\n") } : { event, data: data.join("\n") };
}

/** Reads every complete SSE message of `response` until the body ends or breaks. */
export async function readSse(response: Response): Promise<SseReadResult> {
  const events: SseMessage[] = [];
  if (!response.body) return { events, ended: "clean" };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const drain = () => {
    buffer = buffer.replace(/\r\n?/g, "\n");
    let boundary = buffer.indexOf("\n\n");
    while (boundary >= 0) {
      const message = parseBlock(buffer.slice(0, boundary));
      if (message) events.push(message);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf("\n\n");
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      drain();
    }
  } catch {
    return { events, ended: "error" };
  }
  buffer += decoder.decode();
  drain();
  return { events, ended: "clean" };
}
