// Building blocks for health RPCs: time one dependency probe with a deadline and fold several probes
// into a WorkerHealth. A probe that throws or overruns is reported, never rethrown.
import { worstStatus, type DependencyCheck, type HealthStatus, type WorkerHealth } from "./rpc";

export type Probe = () => Promise<unknown>;

/**
 * Runs a probe with a deadline. Success → "ok" with its latency; failure or timeout → `failStatus`
 * (use "degraded" for dependencies the Worker can do without, "down" for ones it cannot).
 */
export async function checkDependency(probe: Probe, timeoutMs: number, failStatus: HealthStatus = "down"): Promise<DependencyCheck> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), deadline]);
    return { status: "ok", latencyMs: Date.now() - started };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { status: failStatus, latencyMs: Date.now() - started, detail };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Folds named dependency checks into one Worker's health report. */
export function workerHealth(worker: string, checks: Record<string, DependencyCheck>): WorkerHealth {
  return { worker, status: worstStatus(Object.values(checks).map((check) => check.status)), checks };
}
