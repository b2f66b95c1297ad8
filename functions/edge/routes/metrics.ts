// GET /metrics: Prometheus text format, aggregated across isolates. Counters and histogram buckets
// come from the metrics hash in Upstash Redis (one HGETALL), breaker states from the gateway's
// health RPC at scrape time. Guarded by the METRICS_TOKEN secret (Authorization: Bearer; empty = off).
// When Redis cannot answer, the scrape still answers: a comment line and x-metrics-store:
// unavailable say the counters are missing; the breaker gauges are still there.
import { Hono } from "hono";
import { GatewayError, METRIC_FAMILIES, metricsHashKey, redisFromEnv, renderPrometheus, type GaugeSample } from "@llm-edge/shared";
import { constantTimeEqual } from "../auth";
import { REDIS_BUDGET_MS, edgeKeyPrefix, timed } from "../limits/redis";
import type { EdgeEnv } from "../types";
import { patternWorkers } from "../workers";

const HEALTH_BUDGET_MS = 3_000;
const BREAKER_STATES = ["closed", "half_open", "open"] as const;

function requireMetricsToken(token: string | undefined, authorization: string | undefined): void {
  if (!token) throw new GatewayError("Metrics are off: set the METRICS_TOKEN secret to scrape /metrics.", { type: "permission_error", code: "metrics_disabled" });
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!presented) throw new GatewayError("Missing metrics token. Send METRICS_TOKEN as 'Authorization: Bearer <token>'.", { type: "authentication_error", code: "missing_api_key" });
  if (!constantTimeEqual(presented, token)) throw new GatewayError("Incorrect metrics token provided.", { type: "authentication_error", code: "invalid_api_key" });
}

/** Breaker gauges from the gateway's health checks ("breaker:<target>" → "closed" | "open, …" | "half_open, …"). */
function breakerGauges(checks: Record<string, { detail?: string }>): GaugeSample[] {
  return Object.entries(checks).flatMap(([name, check]) => {
    if (!name.startsWith("breaker:")) return [];
    const target = name.slice("breaker:".length);
    const current = (check.detail ?? "").split(",")[0]!.trim();
    return BREAKER_STATES.map((state) => ({ family: METRIC_FAMILIES.breakerState, labels: { target, state }, value: state === current ? 1 : 0 }));
  });
}

function toNumbers(stored: Record<string, unknown> | null): Record<string, number> {
  return Object.fromEntries(Object.entries(stored ?? {}).map(([field, value]) => [field, Number(value)]));
}

export const metricsRoute = new Hono<EdgeEnv>().get("/", async (c) => {
  requireMetricsToken(c.env.METRICS_TOKEN, c.req.header("authorization"));
  const [stored, health] = await Promise.all([
    timed(REDIS_BUDGET_MS, () => redisFromEnv(c.env).hgetall<Record<string, unknown>>(metricsHashKey(edgeKeyPrefix(c.env)))),
    timed(HEALTH_BUDGET_MS, () => patternWorkers(c.env).gateway.health({ traceparent: c.get("traceparent") })),
  ]);
  const notes: string[] = [];
  if (!stored.ok) notes.push(`metrics store unavailable (${stored.reason}): counters and histograms are missing from this scrape`);
  if (!health.ok) notes.push(`gateway health unavailable (${health.reason}): breaker states are missing from this scrape`);
  if (notes.length) c.get("log").warn("metrics scrape incomplete", { store: stored.ok ? "ok" : stored.reason, gateway: health.ok ? "ok" : health.reason });
  const text = renderPrometheus(stored.ok ? toNumbers(stored.value) : {}, health.ok ? breakerGauges(health.value.checks) : [], notes);
  return new Response(text, {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store", ...(stored.ok ? {} : { "x-metrics-store": "unavailable" }) },
  });
});
