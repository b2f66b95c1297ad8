// Cron entry: the maintenance a deployment runs every minute — a health sweep over every pattern
// Worker (unhealthy ones are logged) and the removal of expired semantic-cache vectors. Enrichment
// drains and breaker probes join later.
import { createLogger, formatTraceparent, startSpan } from "@llm-edge/shared";
import { collectHealth, patternWorkers } from "./workers";

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const trace = startSpan();
  const traceparent = formatTraceparent(trace);
  const log = createLogger({ worker: "edge", traceId: trace.traceId, cron: controller.cron });
  const [health, cache] = await Promise.all([
    collectHealth(env, traceparent),
    patternWorkers(env)
      .cache.maintenance({ traceparent })
      .catch((error: unknown) => ({ expiredRemoved: 0, reason: error instanceof Error ? error.message : String(error) })),
  ]);
  const unhealthy = Object.values(health.workers).filter((report) => report.status !== "ok");
  log.info("scheduled maintenance", { status: health.status, unhealthy: unhealthy.map((report) => report.worker), cacheExpiredRemoved: cache.expiredRemoved, ...("reason" in cache ? { cacheReason: cache.reason } : {}) });
}
