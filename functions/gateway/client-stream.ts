// The client's side of a committed stream: a pump that reads the rest of the upstream events, maps
// them, and writes the SSE bytes into a byte pipe whose readable end is what the client (over RPC)
// reads. On workerd the pipe is the native IdentityTransformStream, so the bytes cross RPC without a
// JavaScript pull per chunk. A cut, malformed event or idle gap ends the stream with an SSE error
// event and no [DONE]; a client that goes away aborts the upstream call and frees a probe slot.
import { bytePipe, encodeSseEvent, type ChatCompletionChunk, type SseEvent, type Usage } from "@llm-edge/shared";
import { DeadlineExceeded, IdleWatchdog } from "./attempt-timer";
import type { UpstreamCall } from "./chat-attempt";
import { checkContent } from "./output";
import { chunkJson } from "./providers/chunks";
import { ProviderProtocolError, type StreamMapper } from "./providers/types";
import type { AttemptContext } from "./resilient-call";

export interface StreamEnd {
  /** How the stream ended for the client. */
  outcome: "complete" | "interrupted";
  usage?: Usage;
  content: string;
}

export interface StreamOptions {
  idleMs: number;
  /** Called once when the stream ends (cost, breaker outcome, logs); its text is sent as an SSE comment. */
  onEnd(end: StreamEnd): string | undefined;
  /** Keeps the invocation alive while the pump runs after the call returned (the Worker's ctx.waitUntil). */
  keepAlive?: (work: Promise<void>) => void;
}

/** What the attempt read before it committed: the chunks to send first, and the stream's state so far. */
export interface CommittedStart {
  chunks: ChatCompletionChunk[];
  done: boolean;
  usage: Usage | undefined;
}

export interface ClientStreamInput {
  events: AsyncIterator<SseEvent>;
  mapper: StreamMapper;
  start: CommittedStart;
  call: UpstreamCall;
  options: StreamOptions;
  ctx: AttemptContext;
  /** Epoch ms when the attempt started (for the latency the breaker sees). */
  started: number;
  upstream: AbortController;
}

type Failure = { code: string; message: string };

const encoder = new TextEncoder();

/** The SSE text of some chunks, as one piece (one write, one RPC frame). */
function sseText(chunks: readonly ChatCompletionChunk[]): string {
  let text = "";
  for (const chunk of chunks) text += `data: ${chunkJson(chunk)}\n\n`;
  return text;
}

function contentOf(chunks: readonly ChatCompletionChunk[]): string {
  let text = "";
  for (const chunk of chunks) for (const choice of chunk.choices) text += choice.delta.content ?? "";
  return text;
}

function errorEvent(failure: Failure): string {
  return encodeSseEvent({ data: JSON.stringify({ error: { message: failure.message, type: "server_error", param: null, code: failure.code } }) });
}

function failureOf(error: unknown, idleMs: number): Failure {
  if (error instanceof DeadlineExceeded) return { code: "stream_idle_timeout", message: `The upstream stream was silent for more than ${idleMs} ms.` };
  if (error instanceof ProviderProtocolError) return { code: "upstream_malformed", message: "The upstream stream sent a malformed event." };
  return { code: "stream_interrupted", message: "The upstream connection was lost mid-stream." };
}

/**
 * Starts pumping the committed stream and returns the readable end for the client. The pump writes
 * the chunks read so far at once, then one write per upstream event that yields chunks; each write
 * waits for the reader (backpressure). It never throws: every ending is reported to the breaker
 * (`ctx.report`) or, when the client left, released (`ctx.release`) exactly once.
 */
export function startClientStream(input: ClientStreamInput): ReadableStream<Uint8Array> {
  const pipe = bytePipe();
  const work = pump(input, pipe.writable.getWriter());
  input.options.keepAlive?.(work);
  return pipe.readable;
}

async function pump(input: ClientStreamInput, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  const { events, mapper, call, options, ctx, started, upstream } = input;
  const idle = new IdleWatchdog(options.idleMs);
  let content = contentOf(input.start.chunks);
  let usage = input.start.usage;
  let done = input.start.done;
  let clientGone = false;
  // The reader cancelled (the client went away): stop reading upstream at once, even mid-wait.
  writer.closed.catch(() => {
    clientGone = true;
    upstream.abort();
  });
  const write = (text: string) => writer.write(encoder.encode(text));

  let failure: Failure | undefined;
  try {
    await write(sseText(input.start.chunks));
    while (!done) {
      let next: IteratorResult<SseEvent>;
      try {
        next = await idle.wait(events.next());
      } catch (error) {
        failure = failureOf(error, options.idleMs);
        break;
      }
      if (next.done) {
        failure = { code: "stream_interrupted", message: "The upstream stream ended before it was complete." };
        break;
      }
      let step;
      try {
        step = mapper.mapStreamChunk(next.value);
      } catch (error) {
        failure = failureOf(error, options.idleMs);
        break;
      }
      usage = step.usage ?? usage;
      done = step.done;
      if (step.chunks.length > 0) {
        content += contentOf(step.chunks);
        await write(sseText(step.chunks));
      }
    }
  } catch {
    // Only a write can get here: the reader is gone.
    clientGone = true;
  } finally {
    idle.stop();
  }

  if (clientGone) {
    upstream.abort();
    await events.return?.().catch(() => {});
    // The client went away: says nothing about the target, but a probe slot must be given back.
    ctx.release();
    return;
  }
  if (failure) {
    upstream.abort();
    await events.return?.().catch(() => {});
  }
  const valid = !failure && checkContent(content, false, call.request, call.validation).valid;
  ctx.report(failure ? "failure" : valid || content === "" ? "success" : "invalid", Date.now() - started);
  const comment = options.onEnd({ outcome: failure ? "interrupted" : "complete", content, ...(usage ? { usage } : {}) });
  const ending = `${comment ? `: ${comment}\n\n` : ""}${failure ? errorEvent(failure) : "data: [DONE]\n\n"}`;
  try {
    await write(ending);
    await writer.close();
  } catch {
    // The client left while the ending was written; the outcome is already recorded.
  }
}
