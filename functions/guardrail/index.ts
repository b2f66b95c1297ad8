// Guardrail Worker: input and output checks (PII, secrets, injection, policy, schema), redaction,
// streaming scan and the human-review queue. Internal only; other Workers call it over RPC through a
// service binding. The methods delegate to checks.ts, stream-guard.ts and review-queue.ts.
import { WorkerEntrypoint } from "cloudflare:workers";
import {
  checkDependency,
  createLogger,
  loggedCall,
  logLevelOf,
  parsePlatformConfig,
  rpcLogger,
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

/** The distinct finding types of a check (never their values), for log lines. */
function findingTypes(findings: Array<{ type: string }>): string[] | undefined {
  return findings.length ? [...new Set(findings.map((finding) => finding.type))] : undefined;
}

export default class GuardrailWorker extends WorkerEntrypoint<Env> implements GuardrailRpc {
  override fetch(): Response {
    return internalOnly();
  }

  private deps(context: RpcContext, rpc: string): GuardrailDeps {
    const config = guardrailConfig(this.env);
    return { config, reviews: reviewQueueFromEnv(this.env, config), log: rpcLogger(rootLogger, context.traceparent, rpc, logLevelOf(this.env.PLATFORM_CONFIG)) };
  }

  /**
   * Runs one RPC through `rpcMethod` (GatewayErrors survive the trip) with its log line: the tenant
   * and what `summary` picks from the result (verdicts and finding types, never the text).
   */
  private call<T>(context: RpcContext, rpc: string, run: (deps: GuardrailDeps) => Promise<T> | T, summary?: (result: T) => Record<string, unknown>): Promise<T> {
    const deps = this.deps(context, rpc);
    return rpcMethod(() => loggedCall(deps.log, () => run(deps), summary));
  }

  /** The review queue of a call that needs one (list/get/decide): a 503 when Redis is not configured. */
  private reviewQueue(deps: GuardrailDeps): ReviewQueue {
    return requireReviewQueue(deps);
  }

  /**
   * Checks run in-process: an invalid policy config downs the guardrail (it fails closed), while
   * only the review queue needs Redis, so losing it degrades, not downs.
   */
  async health(context: RpcContext): Promise<WorkerHealth> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "health", logLevelOf(this.env.PLATFORM_CONFIG)), () => this.healthReport(), (report) => ({ status: report.status }));
  }

  private async healthReport(): Promise<WorkerHealth> {
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
    return this.call(context, "checkText", (deps) => checkText(deps, input), (result) => ({ tenant: input.tenant, verdict: result.verdict, findings: findingTypes(result.findings) }));
  }

  async checkInput(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; reviewId?: string }): Promise<ChatCheckResult<ChatCompletionRequest>> {
    return this.call(context, "checkInput", (deps) => checkInput(deps, input), (result) => ({ tenant: input.tenant, model: input.request.model, verdict: result.verdict, findings: findingTypes(result.findings) }));
  }

  async checkOutput(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; completion: ChatCompletion; confidence?: number }): Promise<ChatCheckResult<ChatCompletion>> {
    return this.call(context, "checkOutput", (deps) => checkOutput(deps, input), (result) => ({ tenant: input.tenant, model: input.request.model, verdict: result.verdict, findings: findingTypes(result.findings) }));
  }

  async guardStream(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; stream: ReadableStream<Uint8Array> }): Promise<ReadableStream<Uint8Array>> {
    return this.call(context, "guardStream", (deps) => guardStream(deps, input), () => ({ tenant: input.tenant, model: input.request.model }));
  }

  async listReviews(context: RpcContext, input: { tenant: string; status?: z.infer<typeof ReviewStatusSchema>; limit?: number }): Promise<Review[]> {
    return this.call(context, "listReviews", (deps) => this.reviewQueue(deps).list(input.tenant, { ...(input.status ? { status: input.status } : {}), ...(input.limit !== undefined ? { limit: input.limit } : {}) }), (reviews) => ({ tenant: input.tenant, count: reviews.length }));
  }

  async getReview(context: RpcContext, input: { tenant: string; id: string }): Promise<Review | undefined> {
    return this.call(context, "getReview", (deps) => this.reviewQueue(deps).get(input.tenant, input.id), (review) => ({ tenant: input.tenant, reviewId: input.id, found: review !== undefined }));
  }

  async decideReview(context: RpcContext, input: { tenant: string; id: string } & ReviewDecision): Promise<Review | undefined> {
    return this.call(context, "decideReview", (deps) => this.reviewQueue(deps).decide(input.tenant, input.id, input), (review) => ({ tenant: input.tenant, reviewId: input.id, status: review?.status }));
  }
}
