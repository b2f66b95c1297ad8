// chat(): plans the route for the requested model alias, runs the resilient loop with a streaming or
// non-streaming attempt, prices the answer and reports what happened in CallMeta.
import { costUsd, estimateUsage, type ChatCallInput, type ChatCallResult, type Logger, type PlatformConfig } from "@llm-edge/shared";
import type { BreakerRegistry } from "./breaker/registry";
import { callFailure, callMeta, rejected } from "./call-result";
import { attemptCompletion, type UpstreamCall } from "./chat-attempt";
import { gatewayConfig } from "./config";
import { planRoute } from "./plan";
import { adapterFor } from "./providers/registry";
import type { ProviderBindings, ResolvedTarget } from "./providers/types";
import { callWithResilience } from "./resilient-call";
import { attemptStream, type StreamEnd } from "./stream-attempt";

export interface GatewayDeps {
  env: Record<string, unknown> & { PLATFORM_CONFIG?: string };
  bindings: ProviderBindings;
  breakers: BreakerRegistry;
  log: Logger;
  /** The invocation's ctx.waitUntil: work that outlives the call (a committed stream's pump). */
  waitUntil?: (work: Promise<unknown>) => void;
  /** The caller's cancellation (from ChatCallInput.cancelled): aborts the upstream call. */
  cancelled?: AbortSignal;
}

function streamCostComment(config: PlatformConfig, target: ResolvedTarget, input: ChatCallInput, end: StreamEnd, log: Logger): string | undefined {
  const usage = end.usage ?? estimateUsage(input.request, end.content);
  const cost = costUsd(config.prices, target.model, usage);
  const fields = { target: target.id, outcome: end.outcome, usage, costUsd: cost, usageEstimated: !end.usage };
  if (end.outcome === "complete") log.debug("stream finished", fields);
  else log.warn("stream finished", fields);
  return cost === undefined ? undefined : `x-gateway-cost-usd=${cost.toFixed(8)}`;
}

export async function executeChat(deps: GatewayDeps, input: ChatCallInput): Promise<ChatCallResult> {
  const alias = input.request.model;
  let config: PlatformConfig;
  let plan;
  try {
    config = gatewayConfig(deps.env);
    plan = planRoute(config, alias, deps.env, { request: input.request, ...(input.targetOverride ? { override: input.targetOverride } : {}) });
  } catch (error) {
    return rejected(alias, error);
  }
  const bindings = input.idempotencyKey ? { ...deps.bindings, idempotencyKey: input.idempotencyKey } : deps.bindings;
  const upstreamCall = (target: ResolvedTarget): UpstreamCall => ({
    adapter: adapterFor(target.type),
    request: input.request,
    bindings,
    validation: plan.route.validateOutput,
  });

  if (input.request.stream) {
    const result = await callWithResilience(plan, deps, (ctx) =>
      attemptStream(ctx, upstreamCall(ctx.target), {
        idleMs: plan.route.timeouts.idleMs,
        onEnd: (end) => streamCostComment(config, ctx.target, input, end, deps.log),
        keepAlive: deps.waitUntil,
      }),
    );
    return result.ok ? { ok: true, meta: callMeta(alias, result), stream: result.value } : callFailure(alias, result);
  }

  const result = await callWithResilience(plan, deps, (ctx) => attemptCompletion(ctx, upstreamCall(ctx.target)));
  if (!result.ok) return callFailure(alias, result);
  const completion = result.value;
  const text = completion.choices.map((choice) => choice.message.content ?? "").join("");
  const usage = completion.usage ?? estimateUsage(input.request, text);
  const cost = costUsd(config.prices, result.target.model, usage);
  return { ok: true, meta: callMeta(alias, result, cost), completion: { ...completion, usage } };
}
