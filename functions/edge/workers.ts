// The pattern Workers the edge is bound to, and the health report over all of them.
import {
  checkDependency,
  worstStatus,
  type CacheRpc,
  type FanoutRpc,
  type GatewayRpc,
  type GuardrailRpc,
  type HealthRpc,
  type HealthStatus,
  type WorkerHealth,
} from "@llm-edge/shared";

const RPC_TIMEOUT_MS = 3_000;

export interface PatternWorkers {
  gateway: GatewayRpc;
  cache: CacheRpc;
  guardrail: GuardrailRpc;
  fanout: FanoutRpc;
}

/**
 * The service bindings typed by their RPC contracts (shared/rpc.ts). `wrangler types` knows a
 * binding only as a Fetcher; the contracts are what each Worker's entrypoint implements.
 */
export function patternWorkers(env: Env): PatternWorkers {
  return {
    gateway: env.GATEWAY as unknown as GatewayRpc,
    cache: env.CACHE as unknown as CacheRpc,
    guardrail: env.GUARDRAIL as unknown as GuardrailRpc,
    fanout: env.FANOUT as unknown as FanoutRpc,
  };
}

export interface PlatformHealth {
  status: HealthStatus;
  workers: Record<string, WorkerHealth>;
}

async function askWorker(name: string, worker: HealthRpc, traceparent: string): Promise<WorkerHealth> {
  let report: WorkerHealth | undefined;
  const reached = await checkDependency(async () => {
    report = await worker.health({ traceparent });
  }, RPC_TIMEOUT_MS);
  return report ?? { worker: name, status: "down", checks: { rpc: reached } };
}

/**
 * Asks every pattern Worker for its health over RPC, in parallel, each with a deadline. A Worker that
 * throws or does not answer in time is reported "down" with the reason.
 */
export async function collectHealth(env: Env, traceparent: string): Promise<PlatformHealth> {
  const reports = await Promise.all(Object.entries(patternWorkers(env)).map(([name, worker]: [string, HealthRpc]) => askWorker(name, worker, traceparent)));
  return {
    status: worstStatus(reports.map((report) => report.status)),
    workers: Object.fromEntries(reports.map((report) => [report.worker, report])),
  };
}
