// runPipeline: the chat request path as named steps — guard input → cache lookup → gateway → guard
// output (→ cache store in the background). Used by the edge and by the fan-out coordinator, so a
// branch of a job gets the same guardrails and cache as a direct call. A step either passes a new
// state on, answers (a cache hit), or halts the pipeline with an OpenAI-style error.
import { cacheEnabledFor } from "./cache-config";
import type { CacheControl } from "./cache-rpc";
import type { PlatformConfig } from "./config";
import { callWithCancellation } from "./cancellation";
import { assembleCompletion, completionToSseStream } from "./completion-stream";
import { tapText, type StreamCopy } from "./stream-tap";
import { toGatewayError } from "./errors";
import type { ErrorBody } from "./openai";
import type { ChatCompletion, ChatCompletionRequest } from "./openai";
import { guardrailsEnabledFor } from "./guardrail-config";
import type { CacheRpc, CallMeta, GatewayRpc, GuardrailRpc } from "./rpc";

export interface PipelineServices {
  gateway: GatewayRpc;
  cache: CacheRpc;
  guardrail: GuardrailRpc;
}

export interface PipelineInput {
  tenant: string;
  request: ChatCompletionRequest;
  traceparent: string;
  targetOverride?: string[];
  cacheControl?: CacheControl;
  /** An approved review id (x-gateway-review-id) that lets a held request through once. */
  reviewId?: string;
  /**
   * The platform config, when the caller has it: a disabled guardrail policy or cache for this
   * tenant and model then costs no call at all. Without it every step asks its Worker.
   */
  config?: Pick<PlatformConfig, "guardrails" | "cache">;
  /** The caller gave up (a losing `first` branch, a cancelled job): no further step starts and the gateway aborts its upstream call. */
  signal?: AbortSignal;
}

/** What happened, for the x-gateway-* headers. */
export interface PipelineMeta {
  /** The gateway's meta when it was called (not on a cache hit). */
  call?: CallMeta;
  /** x-gateway-cache: "HIT; kind=semantic; similarity=0.9712", "MISS; reason=…", "BYPASS; reason=…". */
  cache: string;
  /** x-gateway-guardrail: "input=pass; output=redact(EMAIL_ADDRESS)". */
  guardrail: string;
  reviewId?: string;
  /** Names of the steps that ran, in order. */
  steps: string[];
}

export type PipelineResult =
  | { ok: true; meta: PipelineMeta; completion: ChatCompletion }
  | {
      ok: true;
      meta: PipelineMeta;
      stream: ReadableStream<Uint8Array>;
      /** When the cache step reads a copy of the stream to store it: that copy, for a caller that needs the text too (one tap per stream). */
      copy?: Promise<StreamCopy>;
    }
  | { ok: false; meta: PipelineMeta; status: number; error: ErrorBody; retryAfterSeconds?: number };

interface State {
  request: ChatCompletionRequest;
  guardrail: string[];
  cache: string;
  call?: CallMeta;
  reviewId?: string;
  completion?: ChatCompletion;
  stream?: ReadableStream<Uint8Array>;
}

interface Failure {
  status: number;
  error: ErrorBody;
  retryAfterSeconds?: number;
}

/** `fail` may carry the state reached so far (e.g. the review id of an escalation) for the headers. */
type StepOutcome = { next: State } | { done: State } | { fail: Failure; state?: State };

interface Step {
  name: string;
  run(state: State): Promise<StepOutcome>;
}

function errorBody(message: string, type: string, code: string, param: string | null = null): ErrorBody {
  return { error: { message, type, param, code } };
}

function findingTypes(findings: Array<{ type: string }>): string {
  return [...new Set(findings.map((finding) => finding.type))].join(",");
}

/** Guardrail verdicts that halt: block → 400 guardrail_blocked, escalate → 403 review_pending with the review id. */
function halt(direction: "input" | "output", verdict: string, reason: string | undefined, reviewId: string | undefined): Failure | undefined {
  if (verdict === "block") {
    return { status: 400, error: errorBody(`Blocked by the ${direction} guardrail: ${reason ?? "policy violation"}.`, "invalid_request_error", "guardrail_blocked", direction) };
  }
  if (verdict === "escalate") {
    const message = `Held for human review (review ${reviewId}): ${reason ?? "needs review"}. After approval, send the same request again with the header x-gateway-review-id: ${reviewId}.`;
    return { status: 403, error: errorBody(message, "permission_error", "review_pending", direction) };
  }
  return undefined;
}

/**
 * Runs the chat pipeline. `background` receives work that must not delay the answer (cache store,
 * assembling a streamed answer to cache it) — pass ctx.waitUntil. A cache that is down degrades to a
 * MISS; a guardrail that is down halts with 503 guardrail_unavailable (guardrails fail closed).
 */
export async function runPipeline(services: PipelineServices, input: PipelineInput, background: (work: Promise<unknown>) => void): Promise<PipelineResult> {
  const context = { traceparent: input.traceparent };
  const control = input.cacheControl;
  const guarded = !input.config || guardrailsEnabledFor(input.config.guardrails, { tenant: input.tenant, model: input.request.model });
  const cached = !input.config || cacheEnabledFor(input.config.cache, input.request.model);

  const allSteps: Step[] = [
    {
      name: "guard-input",
      async run(state) {
        const check = await services.guardrail.checkInput(context, { tenant: input.tenant, request: state.request, ...(input.reviewId ? { reviewId: input.reviewId } : {}) });
        const label = check.verdict === "pass" ? "input=pass" : `input=${check.verdict}(${findingTypes(check.findings)})`;
        const next = { ...state, request: check.value, guardrail: [...state.guardrail, label], ...(check.reviewId ? { reviewId: check.reviewId } : {}) };
        const stopped = halt("input", check.verdict, check.reason, check.reviewId);
        return stopped ? { fail: stopped, state: next } : { next };
      },
    },
    {
      name: "cache-lookup",
      async run(state) {
        const lookup = await services.cache.lookup(context, { tenant: input.tenant, request: state.request, ...(control ? { control } : {}) }).catch(() => ({ status: "MISS" as const, reason: "cache_unavailable" }));
        if (lookup.status !== "HIT") return { next: { ...state, cache: `${lookup.status}; reason=${lookup.reason}` } };
        const similarity = lookup.similarity === undefined ? "" : `; similarity=${lookup.similarity.toFixed(4)}`;
        return { done: { ...state, cache: `HIT; kind=${lookup.kind}${similarity}`, completion: lookup.completion } };
      },
    },
    {
      name: "gateway",
      async run(state) {
        const call = { request: state.request, tenant: input.tenant, ...(input.targetOverride ? { targetOverride: input.targetOverride } : {}) };
        const signal = input.signal;
        const result = await (signal ? callWithCancellation(signal, (cancelled) => services.gateway.chat(context, { ...call, cancelled })) : services.gateway.chat(context, call));
        if (!result.ok) return { fail: { status: result.status, error: result.error, ...(result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {}) }, state: { ...state, call: result.meta } };
        if ("stream" in result) return { next: { ...state, call: result.meta, stream: result.stream } };
        return { next: { ...state, call: result.meta, completion: result.completion } };
      },
    },
    {
      name: "guard-output",
      async run(state) {
        if (state.stream) {
          const guarded = await services.guardrail.guardStream(context, { tenant: input.tenant, request: state.request, stream: state.stream });
          return { next: { ...state, stream: guarded, guardrail: [...state.guardrail, "output=stream"] } };
        }
        const check = await services.guardrail.checkOutput(context, { tenant: input.tenant, request: state.request, completion: state.completion! });
        const label = check.verdict === "pass" ? "output=pass" : `output=${check.verdict}(${findingTypes(check.findings)})`;
        const next = { ...state, completion: check.value, guardrail: [...state.guardrail, label], ...(check.reviewId ? { reviewId: check.reviewId } : {}) };
        const stopped = halt("output", check.verdict, check.reason, check.reviewId);
        return stopped ? { fail: stopped, state: next } : { next };
      },
    },
  ];

  const steps = allSteps.filter((step) => (step.name.startsWith("guard") ? guarded : step.name !== "cache-lookup" || cached));
  let state: State = { request: input.request, guardrail: guarded ? [] : ["off"], cache: cached ? "BYPASS; reason=not_reached" : "BYPASS; reason=disabled" };
  const ran: string[] = [];
  const meta = (s: State): PipelineMeta => ({ cache: s.cache, guardrail: s.guardrail.join("; "), steps: [...ran], ...(s.call ? { call: s.call } : {}), ...(s.reviewId ? { reviewId: s.reviewId } : {}) });
  let hit = false;
  for (const step of steps) {
    if (input.signal?.aborted) return { ok: false, meta: meta(state), status: 499, error: errorBody("The caller cancelled the request.", "invalid_request_error", "request_cancelled") };
    ran.push(step.name);
    let outcome: StepOutcome;
    try {
      outcome = await step.run(state);
    } catch (error) {
      // A GatewayError that crossed RPC (e.g. 503 review_queue_unavailable) keeps its status; a Worker
      // that is down or crashed becomes a 503 naming the service.
      const known = toGatewayError(error);
      if (known.code !== "internal_error") return { ok: false, meta: meta(state), status: known.status, error: known.toBody() };
      const unavailable = step.name.startsWith("guard") ? errorBody("The guardrail service is unavailable; the request was not sent.", "service_unavailable", "guardrail_unavailable") : errorBody("The gateway is unavailable.", "service_unavailable", "gateway_unavailable");
      return { ok: false, meta: meta(state), status: 503, error: unavailable };
    }
    if ("fail" in outcome) return { ok: false, meta: meta(outcome.state ?? state), ...outcome.fail };
    if ("done" in outcome) {
      state = outcome.done;
      hit = true;
      break;
    }
    state = outcome.next;
  }

  const wantsStream = Boolean(input.request.stream);
  const includeUsage = Boolean(input.request.stream_options?.include_usage);
  if (hit) {
    const completion = state.completion!;
    return wantsStream ? { ok: true, meta: meta(state), stream: completionToSseStream(completion, includeUsage) } : { ok: true, meta: meta(state), completion };
  }
  if (!cached) return state.stream ? { ok: true, meta: meta(state), stream: state.stream } : { ok: true, meta: meta(state), completion: state.completion! };
  const store = (completion: ChatCompletion) =>
    services.cache.store(context, { tenant: input.tenant, request: state.request, completion, ...(control ? { control } : {}) }).catch(() => ({ stored: false }));
  if (state.stream) {
    const tapped = tapText(state.stream);
    background(
      tapped.copy
        .then((copy) => (copy.complete ? assembleCompletion(new Response(copy.text).body!) : undefined))
        .then((completion) => (completion ? store(completion) : undefined)),
    );
    return { ok: true, meta: meta(state), stream: tapped.stream, copy: tapped.copy };
  }
  background(store(state.completion!));
  return { ok: true, meta: meta(state), completion: state.completion! };
}
