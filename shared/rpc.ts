// RPC contracts between Workers. Each pattern Worker's WorkerEntrypoint implements one of these
// interfaces; callers type their service bindings with them. Argument and result types come from zod.
import { z } from "zod";
import type { CacheCallRpc } from "./cache-rpc";
import type { CancelledProbe } from "./cancellation";
import type { GuardrailCheckRpc } from "./guardrail-rpc";
import type { JobSpec, JobStatus, JobView } from "./jobs";
import type { ChatCompletion, ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse, ErrorBody, ModelList } from "./openai";

/** Passed as the first argument of every RPC so one trace spans all Workers. */
export const RpcContextSchema = z.object({ traceparent: z.string() });
export type RpcContext = z.infer<typeof RpcContextSchema>;

export const HealthStatusSchema = z.enum(["ok", "degraded", "down"]);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

export const DependencyCheckSchema = z.object({
  status: HealthStatusSchema,
  latencyMs: z.number().nonnegative().optional(),
  detail: z.string().optional(),
});
export type DependencyCheck = z.infer<typeof DependencyCheckSchema>;

export const WorkerHealthSchema = z.object({
  worker: z.string(),
  status: HealthStatusSchema,
  checks: z.record(z.string(), DependencyCheckSchema),
});
export type WorkerHealth = z.infer<typeof WorkerHealthSchema>;

/** What every pattern Worker answers. */
export interface HealthRpc {
  health(context: RpcContext): Promise<WorkerHealth>;
}

/** What the gateway tells about a call; the edge turns it into x-gateway-* headers. */
export const CallMetaSchema = z.object({
  route: z.string(),
  /** Provider name and upstream model of the target that answered (or was tried last). */
  provider: z.string().optional(),
  model: z.string().optional(),
  /** Upstream calls made, retries and fallbacks included. */
  attempts: z.number().int().nonnegative(),
  /** Position in the route's plan of the target that answered (0 = first choice). */
  fallbackIndex: z.number().int().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
  /** Targets passed over without a call, with the reason (breaker open, not configured). */
  skipped: z.array(z.object({ target: z.string(), reason: z.string() })),
});
export type CallMeta = z.infer<typeof CallMetaSchema>;

export interface ChatCallInput {
  request: ChatCompletionRequest;
  /** Target ids from the x-gateway-targets header; each must be a target the config knows. */
  targetOverride?: string[];
  /** Tenant of the caller's key (metadata for routing rules and logs). */
  tenant: string;
  /** Sent upstream as the Idempotency-Key header (the fan-out coordinator passes job/task/attempt). */
  idempotencyKey?: string;
  /** The caller's cancellation (shared/cancellation.ts): when it says so, the gateway aborts the upstream call. */
  cancelled?: CancelledProbe;
}

/** A call's result: a completion, an SSE byte stream (already committed: its first chunk arrived), or an error. */
export type ChatCallResult =
  | { ok: true; meta: CallMeta; completion: ChatCompletion }
  | { ok: true; meta: CallMeta; stream: ReadableStream<Uint8Array> }
  | CallFailure;

export interface CallFailure {
  ok: false;
  meta: CallMeta;
  status: number;
  error: ErrorBody;
  retryAfterSeconds?: number;
}

export type EmbeddingsCallResult = { ok: true; meta: CallMeta; response: EmbeddingsResponse } | CallFailure;

export interface GatewayRpc extends HealthRpc {
  chat(context: RpcContext, input: ChatCallInput): Promise<ChatCallResult>;
  embeddings(context: RpcContext, input: { request: EmbeddingsRequest; tenant: string }): Promise<EmbeddingsCallResult>;
  models(context: RpcContext): Promise<ModelList>;
}
/** What one maintenance pass of the gateway's breakers did: the half-open probes sent and their outcome. */
export interface BreakerProbeReport {
  probed: Array<{ target: string; outcome: "closed" | "still_open" | "not_probed"; detail?: string }>;
  /** Targets whose breaker was closed (or open with its cooldown still running): nothing to probe. */
  skipped: number;
}

/** The gateway's maintenance RPC, called by the edge's cron. */
export interface GatewayMaintenanceRpc {
  /** Sends one half-open probe to every target whose breaker is open with its cooldown over. */
  probeBreakers(context: RpcContext): Promise<BreakerProbeReport>;
}
export interface CacheRpc extends HealthRpc, CacheCallRpc {}
export interface GuardrailRpc extends HealthRpc, GuardrailCheckRpc {}
/** A job of one tenant; a job of another tenant is not found. */
export interface JobRef {
  tenant: string;
  id: string;
}

/** The answer to cancel/approve/reject: the job's new status, or why nothing changed. */
export type JobActionResult = { ok: true; status: JobStatus } | { ok: false; reason: "not_found" } | { ok: false; reason: "conflict"; status: JobStatus; message: string };

/** The fan-out coordinator's contract: jobs are created, read, followed, cancelled and approved per tenant. */
export interface FanoutRpc extends HealthRpc {
  /**
   * Starts a job. With `id` (the enrichment consumer derives it from a record and attempt) creation is
   * idempotent: a job of that tenant and id that exists already is returned as it is, never started twice.
   */
  createJob(context: RpcContext, input: { tenant: string; spec: JobSpec; id?: string }): Promise<{ id: string; status: JobStatus }>;
  /** The job with its tasks, or undefined when the tenant has no such job. */
  getJob(context: RpcContext, ref: JobRef): Promise<JobView | undefined>;
  /** Progress as SSE bytes (events after `lastEventId`), ending when the job ends; undefined when not found. */
  jobEvents(context: RpcContext, ref: JobRef & { lastEventId?: number }): Promise<ReadableStream<Uint8Array> | undefined>;
  cancelJob(context: RpcContext, ref: JobRef): Promise<JobActionResult>;
  approveJob(context: RpcContext, ref: JobRef): Promise<JobActionResult>;
  rejectJob(context: RpcContext, ref: JobRef): Promise<JobActionResult>;
}

/** Worst of several statuses: any "down" makes the whole "down", any "degraded" makes it "degraded". */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = "ok";
  for (const status of statuses) {
    if (status === "down") return "down";
    if (status === "degraded") worst = "degraded";
  }
  return worst;
}
