// Cron entry: the maintenance a deployment runs every minute. Today it checks every pattern Worker
// and logs the ones that are not ok; enrichment drains, cache expiry and breaker probes join later.
import { createLogger, formatTraceparent, startSpan } from "@llm-edge/shared";
import { collectHealth } from "./workers";

export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const trace = startSpan();
  const log = createLogger({ worker: "edge", traceId: trace.traceId, cron: controller.cron });
  const health = await collectHealth(env, formatTraceparent(trace));
  const unhealthy = Object.values(health.workers).filter((report) => report.status !== "ok");
  log.info("scheduled maintenance", { status: health.status, unhealthy: unhealthy.map((report) => report.worker) });
}
