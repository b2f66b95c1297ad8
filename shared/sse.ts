// Server-Sent Events: the one parser (provider streams, tests, clients) and the one encoder.
// Follows the WHATWG event-stream rules: fields event/data/id/retry, multi-line data joined with
// "\n", comments (":") ignored unless asked for, CRLF/CR/LF line endings, an event dispatched on a blank line.

export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
  /** Set (with empty data) only for a comment line, and only when the reader was asked for comments. */
  comment?: string;
}

/**
 * Reads SSE events from a byte stream as they arrive. Ends when the stream ends; a trailing event
 * without its blank line is not dispatched (as the spec says), so a cut stream never yields half an event.
 * Errors of the underlying stream (a cut connection) are rethrown to the caller. With
 * `{ comments: true }` each comment line is yielded too, as `{ data: "", comment }`, so a proxy can
 * pass the gateway's closing `: x-gateway-cost-usd=…` comment on. Aborting `signal` cancels the
 * stream at once, even while a read is pending (the generator then ends).
 */
export async function* readSseEvents(stream: ReadableStream<Uint8Array>, options: { comments?: boolean; signal?: AbortSignal } = {}): AsyncGenerator<SseEvent> {
  // One TextDecoder in streaming mode rather than a TextDecoderStream: no extra stream stage per event.
  const reader = stream.getReader();
  // A consumer that stops while a read is pending: cancel the stream now (return() would wait for the read).
  const cancel = () => void reader.cancel().catch(() => {});
  options.signal?.addEventListener("abort", cancel, { once: true });
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      finished = done;
      // At the end of the stream a trailing "\r" can no longer be the first half of "\r\n".
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
        // A lone "\r" at the very end may be the first half of "\r\n": wait for more input.
        if (!done && buffer[newline] === "\r" && newline === buffer.length - 1) break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield { data: data.join("\n"), ...(event ? { event } : {}), ...(id !== undefined ? { id } : {}) };
          data = [];
          event = undefined;
          continue;
        }
        if (line.startsWith(":")) {
          if (options.comments) yield { data: "", comment: line.slice(line.startsWith(": ") ? 2 : 1) };
          continue;
        }
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
        else if (field === "id" && !value.includes("\0")) id = value;
      }
      if (done) return;
    }
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    // The consumer stopped early (or the stream failed): release the upstream connection.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Encodes one event (or a comment event as its comment line); multi-line data becomes several data lines. */
export function encodeSseEvent(event: SseEvent): string {
  if (event.comment !== undefined) return `: ${event.comment}\n\n`;
  const lines: string[] = [];
  if (event.id !== undefined) lines.push(`id: ${event.id}`);
  if (event.event) lines.push(`event: ${event.event}`);
  for (const line of event.data.split("\n")) lines.push(`data: ${line}`);
  return `${lines.join("\n")}\n\n`;
}
