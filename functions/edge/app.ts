// The edge's Hono app: tracing and error rendering for every request, then the public routes.
import { Hono } from "hono";
import { GatewayError, createLogger, errorResponse, formatTraceparent, logLevelOf, parseTraceparent, startSpan } from "@llm-edge/shared";
import { afterResponse } from "./after-response";
import { requireApiKey } from "./auth";
import { corsMiddleware } from "./cors";
import { healthRoute } from "./health";
import { observeRequests } from "./observe";
import { shedOverload } from "./overload";
import { enforceLimits } from "./limits/middleware";
import { adminRoutes } from "./routes/admin";
import { cacheRoutes } from "./routes/cache";
import { enrichRoutes } from "./routes/enrich";
import { eventRoutes } from "./routes/events";
import { guardrailRoutes } from "./routes/guardrails";
import { jobRoutes } from "./routes/jobs";
import { metricsRoute } from "./routes/metrics";
import { openaiRoutes } from "./routes/openai";
import type { EdgeApp } from "./types";

export const app: EdgeApp = new Hono();

const rootLogger = createLogger({ worker: "edge" });

app.use("*", async (c, next) => {
  const started = Date.now();
  const parent = parseTraceparent(c.req.header("traceparent"));
  const trace = startSpan(parent);
  c.set("trace", trace);
  c.set("traceparent", formatTraceparent(trace));
  const log = rootLogger.atLevel(logLevelOf(c.env.PLATFORM_CONFIG)).with(parent ? { traceId: trace.traceId, spanId: trace.spanId, parentSpanId: parent.spanId } : { traceId: trace.traceId, spanId: trace.spanId });
  c.set("log", log);
  await next();
  setTraceHeader(c.res, trace.traceId, (name, value) => c.header(name, value));
  // One line per request, written once the response has gone out: no query string, no body (they may
  // hold user data); what the pipeline did comes from the x-gateway-* headers the client got.
  const ms = Date.now() - started;
  const response = c.res;
  afterResponse(c.executionCtx, () => log.info("request", { method: c.req.method, path: c.req.path, status: response.status, ms, tenant: c.get("tenant"), ...pipelineFields(response.headers) }));
});

/** The request line's fields for the x-gateway-* headers a response carries (route, target, attempts, cache, guardrail, cost). */
function pipelineFields(headers: Headers): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, header] of PIPELINE_HEADERS) {
    const value = headers.get(header);
    if (value !== null) fields[field] = value;
  }
  return fields;
}

const PIPELINE_HEADERS = [
  ["route", "x-gateway-route"],
  ["provider", "x-gateway-provider"],
  ["model", "x-gateway-model"],
  ["attempts", "x-gateway-attempts"],
  ["fallbackIndex", "x-gateway-fallback-index"],
  ["skipped", "x-gateway-skipped"],
  ["cache", "x-gateway-cache"],
  ["guardrail", "x-gateway-guardrail"],
  ["costUsd", "x-gateway-cost-usd"],
] as const;

/**
 * Adds x-gateway-trace-id to the finished response in place. The responses the routes build have
 * mutable headers, so this avoids Hono's `c.header`, which copies a finished Response (a measurable
 * cost per request on workerd); a response with immutable headers falls back to that copy.
 */
function setTraceHeader(response: Response, traceId: string, copyWithHeader: (name: string, value: string) => void): void {
  try {
    response.headers.set("x-gateway-trace-id", traceId);
  } catch {
    copyWithHeader("x-gateway-trace-id", traceId);
  }
}

app.use("*", corsMiddleware);
app.route("/health", healthRoute);
app.route("/metrics", metricsRoute);

// Metrics and the audit record of every /v1 request (admin calls included), written in the background.
app.use("/v1/*", observeRequests);
// Past capacity, a fast 503 with Retry-After (functions/edge/overload.ts) before any other work.
app.use("/v1/*", shedOverload);

// The admin API has its own key (ADMIN_API_KEY); registered before the tenant-key middleware.
app.route("/v1/admin", adminRoutes);
app.use("/v1/*", requireApiKey);
app.use("/v1/*", enforceLimits);
app.route("/v1", openaiRoutes);
app.route("/v1", jobRoutes);
app.route("/v1", enrichRoutes);
app.route("/v1", eventRoutes);
app.route("/v1/guardrails", guardrailRoutes);
app.route("/v1/cache", cacheRoutes);

app.notFound((c) =>
  errorResponse(new GatewayError(`Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}`, { type: "not_found_error", code: "unknown_route" })),
);

app.onError((error, c) => {
  if (!(error instanceof GatewayError)) c.var.log?.error("unhandled error", { error });
  const response = errorResponse(error);
  if (c.var.trace) response.headers.set("x-gateway-trace-id", c.var.trace.traceId);
  return response;
});
