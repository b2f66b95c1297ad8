// embeddings(): the same route planning and resilient loop as chat, for providers with an
// embeddings endpoint.
import { GatewayError, costUsd, type EmbeddingsCallResult, type EmbeddingsRequest, type EmbeddingsResponse } from "@llm-edge/shared";
import { abortAt } from "./attempt-timer";
import { callFailure, callMeta, rejected } from "./call-result";
import { statusFailure, thrownFailure } from "./chat-attempt";
import type { GatewayDeps } from "./chat";
import { gatewayConfig } from "./config";
import { planRoute } from "./plan";
import { adapterFor } from "./providers/registry";
import { sendEmbeddingsRequest } from "./providers/transport";
import type { AttemptContext, AttemptResult } from "./resilient-call";
import { callWithResilience } from "./resilient-call";

async function attemptEmbeddings(ctx: AttemptContext, request: EmbeddingsRequest): Promise<AttemptResult<EmbeddingsResponse>> {
  const adapter = adapterFor(ctx.target.type);
  const mapResponse = adapter.mapEmbeddingsResponse;
  if (!mapResponse) {
    throw new GatewayError(`Model "${request.model}" does not support embeddings.`, { type: "invalid_request_error", param: "model", code: "model_not_supported" });
  }
  const started = Date.now();
  const timer = abortAt(ctx.firstTokenDeadline, ctx.cancelled);
  const latency = () => Date.now() - started;
  try {
    const response = await sendEmbeddingsRequest(adapter, request, ctx.target, timer.signal);
    if (!response.ok) return { ok: false, failure: await statusFailure(response, adapter, ctx.target), latencyMs: latency() };
    const body: unknown = await response.json().catch(() => undefined);
    if (body === undefined) return { ok: false, failure: { kind: "protocol", message: "response body is not JSON" }, latencyMs: latency() };
    return { ok: true, value: mapResponse(body, ctx.target), latencyMs: latency() };
  } catch (error) {
    return { ok: false, failure: thrownFailure(error, timer.fired), latencyMs: latency() };
  } finally {
    timer.clear();
  }
}

export async function executeEmbeddings(deps: GatewayDeps, request: EmbeddingsRequest): Promise<EmbeddingsCallResult> {
  const alias = request.model;
  try {
    const config = gatewayConfig(deps.env);
    const plan = planRoute(config, alias, deps.env);
    const result = await callWithResilience(plan, deps, (ctx) => attemptEmbeddings(ctx, request));
    if (!result.ok) return callFailure(alias, result);
    const usage = result.value.usage;
    const cost = costUsd(config.prices, result.target.model, { prompt_tokens: usage.prompt_tokens, completion_tokens: 0, total_tokens: usage.total_tokens });
    return { ok: true, meta: callMeta(alias, result, cost), response: result.value };
  } catch (error) {
    return rejected(alias, error);
  }
}
