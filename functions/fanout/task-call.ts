// One attempt of one task through the shared pipeline (guardrails → cache → gateway → guardrails),
// so a branch gets the same protection as a direct call. The gateway call carries the idempotency
// key job/task/attempt; an abort (cancel, timeout, a `first` winner) stops waiting for the answer
// and aborts the upstream request (the pipeline passes the signal on to the gateway).
// A guardrail escalation comes back as a held outcome with its review id; the attempt after an
// approved input review carries that id, so the guardrail lets the request through once.
import { runPipeline, type ChatCallInput, type GatewayRpc, type PipelineInput, type PipelineServices, type RpcContext } from "@llm-edge/shared";
import type { TaskOutcome } from "./engine";
import type { TaskRow } from "./rows";

export interface TaskCallInput {
  tenant: string;
  jobId: string;
  traceparent: string;
  task: TaskRow;
  signal: AbortSignal;
  /** Work that must outlive the call (cache store): the Durable Object's ctx.waitUntil. */
  background(work: Promise<unknown>): void;
  /** The platform config, so the pipeline skips the guardrail and cache calls it switches off (as at the edge). */
  config?: PipelineInput["config"];
}

/** The key the gateway sends upstream as Idempotency-Key for this attempt. */
export function idempotencyKey(jobId: string, taskId: string, attempt: number): string {
  return `${jobId}/${taskId}/${attempt}`;
}

/** A gateway whose chat calls all carry one idempotency key. */
function withIdempotencyKey(gateway: GatewayRpc, key: string): GatewayRpc {
  return {
    chat: (context: RpcContext, input: ChatCallInput) => gateway.chat(context, { ...input, idempotencyKey: key }),
    embeddings: (context, input) => gateway.embeddings(context, input),
    models: (context) => gateway.models(context),
    health: (context) => gateway.health(context),
  };
}

function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function aborted(signal: AbortSignal): Promise<TaskOutcome> {
  return new Promise((resolve) => {
    const stop = () => resolve({ ok: false, error: "aborted", retryable: false });
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * Runs a task's request through the pipeline and reports the outcome: the answer's text, tokens and
 * cost (from the gateway's CallMeta; 0 on a cache hit), or the error and whether a retry may help.
 * Guardrail blocks and escalations are not retryable. An abort resolves at once; the gateway aborts
 * its upstream request, and any late answer is ignored by the engine.
 */
export async function runTaskCall(services: PipelineServices, input: TaskCallInput): Promise<TaskOutcome> {
  const { task } = input;
  const guarded: PipelineServices = { ...services, gateway: withIdempotencyKey(services.gateway, idempotencyKey(input.jobId, task.id, task.attempt)) };
  const reviewId = task.review?.status === "approved" ? task.review.id : undefined;
  const pipelineInput: PipelineInput = {
    tenant: input.tenant,
    request: { ...task.request, stream: false },
    traceparent: input.traceparent,
    signal: input.signal,
    ...(reviewId ? { reviewId } : {}),
    ...(input.config ? { config: input.config } : {}),
  };
  const call = runPipeline(guarded, pipelineInput, input.background).then((result): TaskOutcome => {
    const costUsd = result.meta.call?.costUsd ?? 0;
    if (!result.ok && result.error.error.code === "review_pending" && result.meta.reviewId) {
      const direction = result.error.error.param === "output" ? "output" : "input";
      return { ok: false, error: `${result.status} review_pending: ${result.error.error.message}`, retryable: false, costUsd, review: { id: result.meta.reviewId, direction } };
    }
    if (!result.ok) return { ok: false, error: `${result.status} ${result.error.error.code ?? result.error.error.type}: ${result.error.error.message}`, retryable: retryableStatus(result.status), costUsd };
    if (!("completion" in result)) return { ok: false, error: "the pipeline answered with a stream", retryable: false, costUsd };
    const text = result.completion.choices.map((choice) => choice.message.content ?? "").join("");
    return { ok: true, text, tokens: result.completion.usage?.total_tokens ?? 0, costUsd };
  });
  return Promise.race([call, aborted(input.signal)]);
}
