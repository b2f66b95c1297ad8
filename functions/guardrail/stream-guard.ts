// guardStream: scans an OpenAI SSE stream as it passes. Content and tool-call argument deltas go
// through a StreamWindow per choice (and per tool call), chunks are re-emitted with the redacted
// text, and everything else (role chunks, usage, [DONE], upstream error events) passes in order.
// A block (or an escalation, after storing its review) ends the stream with an SSE error event and
// no [DONE]. Raw chunk objects are edited in place so fields this code does not know survive.
import { encodeSseEvent, readSseEvents, type ChatCompletionRequest, type Logger, type SseEvent } from "@llm-edge/shared";
import { findingsOf, previewOf, reasonFor, redactionSalt, textHash, type PathDecision } from "./assessments";
import type { GuardrailDeps } from "./checks";
import type { Decision } from "./engine";
import { resolvePolicy, type CompiledPolicy } from "./policy";
import { StreamWindow, type WindowStep } from "./stream-window";

type Json = Record<string, unknown>;
const encoder = new TextEncoder();

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errorEvent(message: string, type: string, code: string): Uint8Array {
  return encoder.encode(encodeSseEvent({ data: JSON.stringify({ error: { message, type, param: null, code } }) }));
}

/** Per choice: a window for the content and one per tool call index. */
class ChoiceWindows {
  readonly content: StreamWindow;
  readonly tools = new Map<number, StreamWindow>();
  constructor(private readonly open: () => StreamWindow) {
    this.content = open();
  }
  tool(index: number): StreamWindow {
    let window = this.tools.get(index);
    if (!window) this.tools.set(index, (window = this.open()));
    return window;
  }
}

interface StreamState {
  choices: Map<number, ChoiceWindows>;
  /** id/object/created/model of the last chunk, to build the chunk that carries flushed text. */
  template?: Json;
  stopped?: { decisions: Decision[]; window: string };
}

/** Applies one window step to a delta field; remembers the first stop. */
function applyStep(state: StreamState, step: WindowStep): string {
  if (step.stop && !state.stopped) state.stopped = { decisions: step.stop, window: step.window ?? "" };
  return step.release;
}

/** Rewrites a chunk's deltas through the windows; returns false when the chunk has nothing left to say. */
function guardChunk(state: StreamState, chunk: Json, windowsOf: (index: number) => ChoiceWindows): boolean {
  const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
  if (choices.length === 0) return true;
  let meaningful = chunk.usage !== undefined && chunk.usage !== null;
  for (const choice of choices) {
    if (!isRecord(choice) || !isRecord(choice.delta)) {
      meaningful = true;
      continue;
    }
    const windows = windowsOf(typeof choice.index === "number" ? choice.index : 0);
    const delta = choice.delta;
    const finished = choice.finish_reason !== null && choice.finish_reason !== undefined;
    if (typeof delta.content === "string" || finished) {
      const original = typeof delta.content === "string" ? delta.content : "";
      let content = applyStep(state, windows.content.push(original));
      if (finished) content += applyStep(state, windows.content.flush());
      if (typeof delta.content === "string" || content.length > 0) delta.content = content;
    }
    const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    for (const call of calls) {
      if (!isRecord(call) || !isRecord(call.function) || typeof call.function.arguments !== "string") continue;
      const window = windows.tool(typeof call.index === "number" ? call.index : 0);
      call.function.arguments = applyStep(state, window.push(call.function.arguments));
    }
    if (finished) {
      for (const [index, window] of windows.tools) {
        const rest = applyStep(state, window.flush());
        if (rest.length > 0) delta.tool_calls = [...(Array.isArray(delta.tool_calls) ? delta.tool_calls : []), { index, function: { arguments: rest } }];
      }
    }
    const hasText = (typeof delta.content === "string" && delta.content.length > 0) || (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0);
    if (hasText || delta.role !== undefined || finished || Object.keys(delta).some((key) => key !== "content" && key !== "tool_calls")) meaningful = true;
  }
  return meaningful;
}

/** Everything still held, as one chunk per choice (built from the last chunk's id and model). */
function flushAll(state: StreamState): Json[] {
  const chunks: Json[] = [];
  for (const [index, windows] of state.choices) {
    const content = applyStep(state, windows.content.flush());
    const toolCalls = [...windows.tools].flatMap(([toolIndex, window]) => {
      const rest = applyStep(state, window.flush());
      return rest.length > 0 ? [{ index: toolIndex, function: { arguments: rest } }] : [];
    });
    if ((content.length > 0 || toolCalls.length > 0) && state.template) {
      chunks.push({ ...state.template, choices: [{ index, delta: { ...(content ? { content } : {}), ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }, finish_reason: null }] });
    }
  }
  return chunks;
}

async function stopEvent(deps: GuardrailDeps, tenant: string, stopped: NonNullable<StreamState["stopped"]>, log: Logger): Promise<Uint8Array> {
  const decisions: PathDecision[] = stopped.decisions;
  if (stopped.decisions.some(({ rule }) => rule.action === "block")) {
    return errorEvent(`The answer was stopped by the output guardrail: ${reasonFor("block", decisions)}.`, "invalid_request_error", "guardrail_blocked");
  }
  const reason = reasonFor("escalate", decisions);
  try {
    if (!deps.reviews) throw new Error("review queue not configured");
    const preview = previewOf([{ path: "stream", text: stopped.window, decisions: stopped.decisions }]);
    const review = await deps.reviews.create({ tenant, direction: "output", reason, findings: findingsOf(decisions), preview, requestHash: textHash(stopped.window, "output") });
    return errorEvent(`The answer was held for human review (review ${review.id}): ${reason}.`, "permission_error", "review_pending");
  } catch (error) {
    log.error("could not store a review for a stream", { error });
    return errorEvent(`The answer was stopped: it needs human review, but the review queue is unavailable.`, "service_unavailable", "review_queue_unavailable");
  }
}

/**
 * Wraps an upstream OpenAI SSE byte stream. Pull-based: reads upstream only as fast as the client
 * reads; cancelling the result cancels upstream at once, even while a read is pending. (A pump into
 * a native byte pipe measured no faster here, and its writer learns that the reader left only at its
 * next write, which the hold may put several upstream events away.)
 */
export function guardStream(deps: GuardrailDeps, input: { tenant: string; request: ChatCompletionRequest; stream: ReadableStream<Uint8Array> }): ReadableStream<Uint8Array> {
  const compiled: CompiledPolicy = resolvePolicy(deps.config, { tenant: input.tenant, model: input.request.model });
  if (!compiled.policy.enabled) return input.stream;
  const salt = redactionSalt(compiled, input.tenant);
  const state: StreamState = { choices: new Map() };
  const windowsOf = (index: number) => {
    let windows = state.choices.get(index);
    if (!windows) state.choices.set(index, (windows = new ChoiceWindows(() => new StreamWindow(compiled, "output", salt))));
    return windows;
  };
  // Comments (the gateway's closing cost line) pass through after what is held back is released.
  // Aborted when the client cancels: cancels upstream even while a read is pending.
  const stopReading = new AbortController();
  const events = readSseEvents(input.stream, { comments: true, signal: stopReading.signal });
  const emit = (event: SseEvent) => encoder.encode(encodeSseEvent(event));
  const emitChunks = (chunks: Json[]) => chunks.map((chunk) => emit({ data: JSON.stringify(chunk) }));

  /** Turns one upstream event into the bytes to send; `end` means stop after sending them. */
  const handle = async (event: SseEvent): Promise<{ out: Uint8Array[]; end: boolean }> => {
    let parsed: unknown;
    try {
      parsed = event.data === "[DONE]" || event.comment !== undefined ? undefined : JSON.parse(event.data);
    } catch {
      parsed = undefined;
    }
    if (isRecord(parsed) && Array.isArray(parsed.choices)) {
      state.template = { id: parsed.id, object: parsed.object, created: parsed.created, model: parsed.model };
      const keep = guardChunk(state, parsed, windowsOf);
      if (state.stopped) return { out: [await stopEvent(deps, input.tenant, state.stopped, deps.log)], end: true };
      return { out: keep ? [emit({ ...event, data: JSON.stringify(parsed) })] : [], end: false };
    }
    // [DONE], an error event or anything else: release what is held first, then pass it on.
    const flushed = flushAll(state);
    if (state.stopped) return { out: [await stopEvent(deps, input.tenant, state.stopped, deps.log)], end: true };
    return { out: [...emitChunks(flushed), emit(event)], end: false };
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await events.next();
          if (stopReading.signal.aborted) return;
          if (next.done) {
            const flushed = flushAll(state);
            if (state.stopped) controller.enqueue(await stopEvent(deps, input.tenant, state.stopped, deps.log));
            else for (const bytes of emitChunks(flushed)) controller.enqueue(bytes);
            controller.close();
            return;
          }
          const { out, end } = await handle(next.value);
          for (const bytes of out) controller.enqueue(bytes);
          if (end) {
            await events.return(undefined);
            controller.close();
            return;
          }
          if (out.length > 0) return;
        }
      } catch (error) {
        deps.log.warn("upstream stream failed", { error });
        controller.enqueue(errorEvent("The upstream stream failed before the answer was complete.", "server_error", "stream_failed"));
        controller.close();
      }
    },
    async cancel() {
      stopReading.abort();
      await events.return(undefined);
    },
  });
}
