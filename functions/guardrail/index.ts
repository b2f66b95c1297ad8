// Guardrail Worker: input and output checks (PII, secrets, injection, policy, schema), redaction,
// streaming scan and the human-review queue. Internal only; other Workers call it over RPC through a
// service binding. The methods delegate to checks.ts, stream-guard.ts and review-queue.ts.
import { WorkerEntrypoint } from "cloudflare:workers";
import {
  checkDependency,
  createLogger,
  parsePlatformConfig,
  parseTraceparent,
  redisFromEnv,
  rpcMethod,
  workerHealth,
  type ChatCheckResult,
  type ChatCompletion,
  type ChatCompletionRequest,
  type DependencyCheck,
  type GuardrailRpc,
  type Review,
  type ReviewDecision,
  type ReviewStatusSchema,
  type RpcContext,
  type TextCheckRequest,
  type TextCheckResult,
  type WorkerHealth,
} from "@llm-edge/shared";
import type { z } from "zod";
import { internalOnly } from "../internal";
import { checkInput, checkOutput, checkText, requireReviewQueue, type GuardrailDeps } from "./checks";
import { guardrailConfig, reviewQueueFromEnv } from "./config";
import type { ReviewQueue } from "./review-queue";
import { guardStream } from "./stream-guard";

const PROBE_TIMEOUT_MS = 1_000;
const rootLogger = createLogger({ worker: "guardrail" });

export default class GuardrailWorker extends WorkerEntrypoint<Env> implements GuardrailRpc {
  override fetch(): Response {
    return internalOnly();
  }

  private deps(context: RpcContext): GuardrailDeps {
    const config = guardrailConfig(this.env);
    return { config, reviews: reviewQueueFromEnv(this.env, config), log: rootLogger.with({ traceId: parseTraceparent(context.traceparent)?.traceId }) };
  }

  /** The review queue of a call that needs one (list/get/decide): a 503 when Redis is not configured. */
  private reviewQueue(context: RpcContext): ReviewQueue {
    return requireReviewQueue(this.deps(context));
  }

  /**
   * Checks run in-process: an invalid policy config downs the guardrail (it fails closed), while
   * only the review queue needs Redis, so losing it degrades, not downs.
   */
  async health(_context: RpcContext): Promise<WorkerHealth> {
    let policies: DependencyCheck;
    try {
      policies = { status: "ok", detail: `${Object.keys(parsePlatformConfig(this.env.PLATFORM_CONFIG).guardrails.policies).length} policies` };
    } catch (error) {
      policies = { status: "down", detail: error instanceof Error ? error.message : String(error) };
    }
    const reviewQueue = await checkDependency(() => redisFromEnv(this.env).ping(), PROBE_TIMEOUT_MS, "degraded");
    return workerHealth("guardrail", { policies, reviewQueue });
  }

  async checkText(context: RpcContext, input: TextCheckRequest & { tenant: string }): Promise<TextCheckResult> {
    return rpcMethod(() => checkText(this.deps(context), input));
  }

  async checkInput(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; reviewId?: string }): Promise<ChatCheckResult<ChatCompletionRequest>> {
    return rpcMethod(() => checkInput(this.deps(context), input));
  }

  async checkOutput(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; completion: ChatCompletion; confidence?: number }): Promise<ChatCheckResult<ChatCompletion>> {
    return rpcMethod(() => checkOutput(this.deps(context), input));
  }

  async guardStream(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; stream: ReadableStream<Uint8Array> }): Promise<ReadableStream<Uint8Array>> {
    return rpcMethod(() => guardStream(this.deps(context), input));
  }

  async listReviews(context: RpcContext, input: { tenant: string; status?: z.infer<typeof ReviewStatusSchema>; limit?: number }): Promise<Review[]> {
    return rpcMethod(() => this.reviewQueue(context).list(input.tenant, { ...(input.status ? { status: input.status } : {}), ...(input.limit !== undefined ? { limit: input.limit } : {}) }));
  }

  async getReview(context: RpcContext, input: { tenant: string; id: string }): Promise<Review | undefined> {
    return rpcMethod(() => this.reviewQueue(context).get(input.tenant, input.id));
  }

  async decideReview(context: RpcContext, input: { tenant: string; id: string } & ReviewDecision): Promise<Review | undefined> {
    return rpcMethod(() => this.reviewQueue(context).decide(input.tenant, input.id, input));
  }
}
