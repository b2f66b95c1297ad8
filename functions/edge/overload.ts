// Load shedding: the edge counts the /v1 requests in flight in this isolate (until each response
// starts) and, past `overload.maxInFlight`, answers a new one at once with 503 `overloaded` and
// Retry-After. Past capacity a queue only adds latency until clients time out; a fast refusal lets
// them back off and keeps the accepted requests fast.
import { createMiddleware } from "hono/factory";
import { GatewayError, OverloadConfigSchema, errorResponse } from "@llm-edge/shared";
import { edgeConfig } from "./config";
import type { EdgeEnv } from "./types";

const DEFAULTS = OverloadConfigSchema.parse({});
/** At most one "refused" log line per isolate in this interval, with the count since the last one. */
const WARN_INTERVAL_MS = 10_000;
let inFlight = 0;
let refusedSinceWarning = 0;
let lastWarnedAt = 0;

export const shedOverload = createMiddleware<EdgeEnv>(async (c, next) => {
  const settings = edgeConfig(c.env)?.overload ?? DEFAULTS;
  if (inFlight >= settings.maxInFlight) {
    refusedSinceWarning++;
    if (Date.now() - lastWarnedAt >= WARN_INTERVAL_MS) {
      c.get("log").warn("overloaded: requests refused with 503", { refused: refusedSinceWarning, inFlight, maxInFlight: settings.maxInFlight });
      lastWarnedAt = Date.now();
      refusedSinceWarning = 0;
    }
    const error = new GatewayError("The gateway is at capacity; retry after the time in Retry-After.", { type: "service_unavailable", code: "overloaded" });
    return errorResponse(error, { "retry-after": String(settings.retryAfterSeconds) });
  }
  inFlight++;
  try {
    await next();
  } finally {
    inFlight--;
  }
});
