// One upstream chat attempt, non-streaming: send, read the whole answer before the first-token
// deadline, map it to OpenAI's shape and validate the output.
import type { ChatCompletion, ChatCompletionRequest, OutputValidation } from "@llm-edge/shared";
import { abortAt, type AttemptTimer } from "./attempt-timer";
import type { AttemptFailure } from "./failures";
import { checkCompletion } from "./output";
import { ProviderProtocolError, type ProviderAdapter, type ProviderBindings, type ResolvedTarget } from "./providers/types";
import { sendProviderRequest } from "./providers/transport";
import type { AttemptContext, AttemptResult } from "./resilient-call";
import { retryAfterMs } from "./retry";

export interface UpstreamCall {
  adapter: ProviderAdapter;
  request: ChatCompletionRequest;
  bindings: ProviderBindings;
  validation: OutputValidation;
}

/** Reads a non-2xx answer into a failure, keeping the provider's Retry-After. */
export async function statusFailure(response: Response, adapter: ProviderAdapter, target: ResolvedTarget): Promise<AttemptFailure> {
  const body = await response.text().catch(() => "");
  const retryAfter = retryAfterMs(response.headers);
  return { kind: "status", status: response.status, error: adapter.mapError(response.status, body, target), ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) };
}

/** Classifies a thrown error of a fetch or body read: our deadline → timeout, the caller's cancel → cancelled, anything else → network. */
export function thrownFailure(error: unknown, fired: AttemptTimer["fired"]): AttemptFailure {
  const why = fired();
  if (why === "deadline") return { kind: "timeout", phase: "first_token" };
  if (why === "cancelled") return { kind: "cancelled" };
  if (error instanceof ProviderProtocolError) return { kind: "protocol", message: error.message };
  return { kind: "network", message: error instanceof Error ? error.message : String(error) };
}

export async function attemptCompletion(ctx: AttemptContext, call: UpstreamCall): Promise<AttemptResult<ChatCompletion>> {
  const started = Date.now();
  const timer = abortAt(ctx.firstTokenDeadline, ctx.cancelled);
  const latency = () => Date.now() - started;
  try {
    const response = await sendProviderRequest(call.adapter, { ...call.request, stream: false }, ctx.target, call.bindings, timer.signal);
    if (!response.ok) return { ok: false, failure: await statusFailure(response, call.adapter, ctx.target), latencyMs: latency() };
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, failure: { kind: "protocol", message: "response body is not JSON" }, latencyMs: latency() };
    }
    const completion = call.adapter.mapResponse(body, ctx.target, call.request);
    const check = checkCompletion(completion, call.request, call.validation);
    if (!check.valid) return { ok: false, failure: { kind: "invalid_output", reason: check.reason }, latencyMs: latency() };
    return { ok: true, value: completion, latencyMs: latency() };
  } catch (error) {
    return { ok: false, failure: thrownFailure(error, timer.fired), latencyMs: latency() };
  } finally {
    timer.clear();
  }
}

