// Cron entry. Two triggers (wrangler.toml), both every minute:
// - MAINTENANCE_CRON: a health sweep over every pattern Worker (unhealthy ones are logged), removal of
//   expired semantic-cache vectors, half-open probes of open circuit breakers on the gateway, and the
//   metrics rollup (metrics-rollup.ts: a per-minute snapshot of the counters, the audit stream trimmed by age);
// - ENRICH_CRON: the enrichment drain of the intake streams (enrich/consumer.ts) within its budgets.
// Any other cron string (a manual trigger) runs both. Each logs one JSON line with what it did.
import { GatewayError, createLogger, formatTraceparent, startSpan, type BreakerProbeReport, type GatewayMaintenanceRpc, type Logger } from "@llm-edge/shared";
import { drainEnrichment } from "./enrich/consumer";
import { enrichContext } from "./enrich/context";
import { rollupMetrics, type RollupReport } from "./metrics-rollup";
import { collectHealth, patternWorkers } from "./workers";

export const MAINTENANCE_CRON = "* * * * *";
export const ENRICH_CRON = "*/1 * * * *";

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const trace = startSpan();
  const traceparent = formatTraceparent(trace);
  const log = createLogger({ worker: "edge", traceId: trace.traceId, cron: controller.cron });
  const maintenance = controller.cron !== ENRICH_CRON;
  const enrichment = controller.cron !== MAINTENANCE_CRON;
  await Promise.all([maintenance ? runMaintenance(env, traceparent, log) : undefined, enrichment ? runEnrichment(env, traceparent, log) : undefined]);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function runMaintenance(env: Env, traceparent: string, log: Logger): Promise<void> {
  const gateway = env.GATEWAY as unknown as GatewayMaintenanceRpc;
  const [health, cache, probes, rollup] = await Promise.all([
    collectHealth(env, traceparent),
    patternWorkers(env)
      .cache.maintenance({ traceparent })
      .catch((error: unknown) => ({ expiredRemoved: 0, reason: reasonOf(error) })),
    gateway.probeBreakers({ traceparent }).catch((error: unknown): BreakerProbeReport & { reason: string } => ({ probed: [], skipped: 0, reason: reasonOf(error) })),
    rollupMetrics(env).catch((error: unknown): Partial<RollupReport> & { reason: string } => ({ reason: reasonOf(error) })),
  ]);
  const unhealthy = Object.values(health.workers).filter((report) => report.status !== "ok");
  log.info("scheduled maintenance", {
    status: health.status,
    unhealthy: unhealthy.map((report) => report.worker),
    cacheExpiredRemoved: cache.expiredRemoved,
    ...("reason" in cache ? { cacheReason: cache.reason } : {}),
    breakerProbes: probes.probed,
    ...("reason" in probes ? { breakerProbeReason: probes.reason } : {}),
    // Counters are aggregated in Redis as they are written (HINCRBY); the rollup snapshots them per minute.
    metricsRollup: rollup,
  });
}

async function runEnrichment(env: Env, traceparent: string, log: Logger): Promise<void> {
  const context = enrichContext(env);
  if (context instanceof GatewayError) {
    log.warn("enrichment drain skipped", { reason: context.message });
    return;
  }
  const report = await drainEnrichment(
    {
      store: context.store,
      fanout: context.fanout,
      config: context.config,
      traceparent,
      now: Date.now,
      onError: (error, where) => log.error("enrichment step failed; the entry stays pending", { ...where, error: reasonOf(error) }),
    },
    context.config,
  );
  log.info("enrichment drain", { ...report });
}
