// One upstream chat attempt, streaming. Before the first token nothing reaches the client, so a
// failure there can still be retried or fall back. Once a chunk with content arrives the stream is
// committed: from then on a cut, a malformed event or an idle timeout ends the client's stream with
// an explicit SSE error event and no [DONE] — never a clean end that looks like success.
import { readSseEvents, type ChatCompletionChunk, type SseEvent, type Usage } from "@llm-edge/shared";
import { abortAt } from "./attempt-timer";
import { statusFailure, thrownFailure, type UpstreamCall } from "./chat-attempt";
import { startClientStream, type StreamOptions } from "./client-stream";
import { sendProviderRequest } from "./providers/transport";
import type { AttemptContext, AttemptResult } from "./resilient-call";

export type { StreamEnd, StreamOptions } from "./client-stream";

function isCommitting(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some((choice) => Boolean(choice.delta.content) || Boolean(choice.delta.tool_calls?.length) || choice.finish_reason !== null);
}

/**
 * Sends the streaming request and reads events until the first chunk with content (or a finish):
 * any failure up to there is an ordinary attempt failure (retry, fall back). Then it commits and
 * hands the rest to the client stream, which reports the final outcome to the breaker itself.
 */
export async function attemptStream(ctx: AttemptContext, call: UpstreamCall, options: StreamOptions): Promise<AttemptResult<ReadableStream<Uint8Array>>> {
  const started = Date.now();
  const latency = () => Date.now() - started;
  const timer = abortAt(ctx.firstTokenDeadline, ctx.cancelled);
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
    const stream = startClientStream({ events, mapper, start: { chunks: buffered, done, usage }, call, options, ctx, started, upstream });
    return { ok: true, value: stream, latencyMs: latency(), deferred: true };
  } catch (error) {
    await events?.return?.().catch(() => {});
    return { ok: false, failure: thrownFailure(error, timer.fired), latencyMs: latency() };
  } finally {
    timer.clear();
  }
}
