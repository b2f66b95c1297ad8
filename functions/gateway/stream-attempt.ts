// One upstream chat attempt, streaming. Before the first token nothing reaches the client, so a
// failure there can still be retried or fall back. Once a chunk with content arrives the stream is
// committed: from then on a cut, a malformed event or an idle timeout ends the client's stream with
// an explicit SSE error event and no [DONE] — never a clean end that looks like success.
import { encodeSseEvent, readSseEvents, type ChatCompletionChunk, type ChatCompletionRequest, type SseEvent, type Usage } from "@llm-edge/shared";
import { DeadlineExceeded, abortAt, withinMs } from "./attempt-timer";
import { statusFailure, thrownFailure, type UpstreamCall } from "./chat-attempt";
import { checkContent } from "./output";
import { ProviderProtocolError, type StreamMapper } from "./providers/types";
import { sendProviderRequest } from "./providers/transport";
import type { AttemptContext, AttemptResult } from "./resilient-call";

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
}

const encoder = new TextEncoder();

function isCommitting(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some((choice) => Boolean(choice.delta.content) || Boolean(choice.delta.tool_calls?.length) || choice.finish_reason !== null);
}

function contentOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices.map((choice) => choice.delta.content ?? "").join("")).join("");
}

function errorEvent(code: string, message: string): string {
  return encodeSseEvent({ data: JSON.stringify({ error: { message, type: "server_error", param: null, code } }) });
}

export async function attemptStream(ctx: AttemptContext, call: UpstreamCall, options: StreamOptions): Promise<AttemptResult<ReadableStream<Uint8Array>>> {
  const started = Date.now();
  const latency = () => Date.now() - started;
  const timer = abortAt(ctx.firstTokenDeadline);
  const upstream = new AbortController();
  timer.signal.addEventListener("abort", () => upstream.abort(timer.signal.reason));
  let events: AsyncIterator<SseEvent> | undefined;
  try {
    const response = await sendProviderRequest(call.adapter, { ...call.request, stream: true }, ctx.target, call.bindings, upstream.signal);
    if (!response.ok) return { ok: false, failure: await statusFailure(response, call.adapter, ctx.target), latencyMs: latency() };
    if (!response.body) return { ok: false, failure: { kind: "protocol", message: "stream response has no body" }, latencyMs: latency() };
    events = readSseEvents(response.body)[Symbol.asyncIterator]();
    const mapper = call.adapter.createStreamMapper(ctx.target, call.request);
    const buffered: ChatCompletionChunk[] = [];
    let usage: Usage | undefined;
    let done = false;
    while (!done && !buffered.some(isCommitting)) {
      const next = await events.next();
      if (next.done) return { ok: false, failure: { kind: "protocol", message: "stream ended before the first token" }, latencyMs: latency() };
      const step = mapper.mapStreamChunk(next.value);
      buffered.push(...step.chunks);
      usage = step.usage ?? usage;
      done = step.done;
    }
    timer.clear();
    const stream = clientStream(events, mapper, buffered, { done, usage }, call, options, ctx, started, upstream);
    return { ok: true, value: stream, latencyMs: latency(), deferred: true };
  } catch (error) {
    await events?.return?.().catch(() => {});
    return { ok: false, failure: thrownFailure(error, timer.fired()), latencyMs: latency() };
  } finally {
    timer.clear();
  }
}

function clientStream(
  events: AsyncIterator<SseEvent>,
  mapper: StreamMapper,
  buffered: ChatCompletionChunk[],
  state: { done: boolean; usage: Usage | undefined },
  call: UpstreamCall,
  options: StreamOptions,
  ctx: AttemptContext,
  started: number,
  upstream: AbortController,
): ReadableStream<Uint8Array> {
  let content = contentOf(buffered);
  let pending = buffered;
  let finished = false;

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, failure?: { code: string; message: string }) => {
    finished = true;
    const outcome = failure ? "interrupted" : "complete";
    const valid = !failure && checkContent(content, false, call.request, call.validation).valid;
    ctx.report(failure ? "failure" : valid || content === "" ? "success" : "invalid", Date.now() - started);
    const comment = options.onEnd({ outcome, content, ...(state.usage ? { usage: state.usage } : {}) });
    if (comment) controller.enqueue(encoder.encode(`: ${comment}\n\n`));
    controller.enqueue(encoder.encode(failure ? errorEvent(failure.code, failure.message) : "data: [DONE]\n\n"));
    controller.close();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Loop until something is enqueued: a pull that enqueues nothing would stall the reader.
      for (;;) {
        if (pending.length > 0) {
          for (const chunk of pending) controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
          pending = [];
          return;
        }
        if (state.done) return finish(controller);
        try {
          const next = await withinMs(events.next(), options.idleMs);
          if (next.done) return finish(controller, { code: "stream_interrupted", message: "The upstream stream ended before it was complete." });
          const step = mapper.mapStreamChunk(next.value);
          pending = step.chunks;
          content += contentOf(step.chunks);
          state.usage = step.usage ?? state.usage;
          state.done = step.done;
        } catch (error) {
          upstream.abort();
          await events.return?.().catch(() => {});
          if (error instanceof DeadlineExceeded) return finish(controller, { code: "stream_idle_timeout", message: `The upstream stream was silent for more than ${options.idleMs} ms.` });
          if (error instanceof ProviderProtocolError) return finish(controller, { code: "upstream_malformed", message: "The upstream stream sent a malformed event." });
          return finish(controller, { code: "stream_interrupted", message: "The upstream connection was lost mid-stream." });
        }
      }
    },
    async cancel() {
      if (finished) return;
      finished = true;
      upstream.abort();
      await events.return?.().catch(() => {});
      // The client went away: says nothing about the target, but a probe slot must be given back.
      ctx.release();
    },
  });
}
