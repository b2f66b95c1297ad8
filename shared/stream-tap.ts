// A copy of a byte stream's text, read as the stream passes to its reader, without tee(). On workerd
// a tee'd branch of a chat stream reaches the client only about when the whole answer is there (the
// first SSE event of a simulated answer arrived 1.6 ms later through the edge, with the last), and
// a JavaScript TransformStream slows every chunk (the stream ended ~1.7 ms later); a pump into the
// native byte pipe hands each chunk on at once. Unlike a tee, a reader that cancels (the client went
// away) cancels the source too, so an upstream call nobody reads is not paid for.

export interface StreamCopy {
  /** The text that passed (all of it when `complete`). */
  text: string;
  /** False when the reader cancelled or the source failed before the end. */
  complete: boolean;
}

export interface TappedStream {
  /** Hand this on instead of the source. */
  stream: ReadableStream<Uint8Array>;
  /** Settles once the stream ended, was cancelled or failed; never rejects. Keep the invocation alive until then (waitUntil). */
  copy: Promise<StreamCopy>;
}

/** A pass-through byte pipe: workerd's native IdentityTransformStream, or the standard TransformStream elsewhere (Node). */
export function bytePipe(): TransformStream<Uint8Array, Uint8Array> {
  const native: unknown = Reflect.get(globalThis, "IdentityTransformStream");
  if (typeof native === "function") return new (native as new () => TransformStream<Uint8Array, Uint8Array>)();
  return new TransformStream<Uint8Array, Uint8Array>();
}

/** Passes `source` through unchanged and collects its text. */
export function tapText(source: ReadableStream<Uint8Array>): TappedStream {
  const pipe = bytePipe();
  return { stream: pipe.readable, copy: pump(source.getReader(), pipe.writable.getWriter()) };
}

async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<StreamCopy> {
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      await writer.write(value);
    }
    await writer.close();
    return { text: text + decoder.decode(), complete: true };
  } catch (error) {
    await Promise.allSettled([reader.cancel(error), writer.abort(error)]);
    return { text, complete: false };
  }
}
