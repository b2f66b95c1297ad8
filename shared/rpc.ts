// RPC contracts between Workers. Each pattern Worker's WorkerEntrypoint implements one of these
// interfaces; callers type their service bindings with them. Argument and result types come from zod.
import { z } from "zod";

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

export type GatewayRpc = HealthRpc;
export type CacheRpc = HealthRpc;
export type GuardrailRpc = HealthRpc;
export type FanoutRpc = HealthRpc;

/** Worst of several statuses: any "down" makes the whole "down", any "degraded" makes it "degraded". */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = "ok";
  for (const status of statuses) {
    if (status === "down") return "down";
    if (status === "degraded") worst = "degraded";
  }
  return worst;
}
