// CORS for browser frontends, from the config's `cors` section: off (no CORS headers, preflights get
// no allow-origin) until `allowedOrigins` lists origins; then Hono's cors middleware answers
// preflights and marks responses, exposing the x-gateway-* and x-ratelimit-* headers to scripts.
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import type { CorsConfig } from "@llm-edge/shared";
import { edgeConfig } from "./config";
import type { EdgeEnv } from "./types";

/** Response headers a browser script may read. */
export const EXPOSED_HEADERS = [
  "x-gateway-trace-id", "x-gateway-route", "x-gateway-provider", "x-gateway-model", "x-gateway-attempts", "x-gateway-fallback-index",
  "x-gateway-skipped", "x-gateway-cache", "x-gateway-guardrail", "x-gateway-review-id", "x-gateway-cost-usd", "x-gateway-ratelimit",
  "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
  "retry-after", "location",
];

let built: { config: CorsConfig; handler: MiddlewareHandler } | undefined;

function corsHandler(config: CorsConfig): MiddlewareHandler {
  if (built?.config === config) return built.handler;
  const anyOrigin = config.allowedOrigins.includes("*");
  const handler = cors({
    origin: anyOrigin ? "*" : (origin) => (config.allowedOrigins.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: config.allowedHeaders,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: config.maxAgeSeconds,
  });
  built = { config, handler };
  return handler;
}

export const corsMiddleware = createMiddleware<EdgeEnv>(async (c, next) => {
  const config = edgeConfig(c.env)?.cors;
  if (!config?.allowedOrigins.length || c.req.header("origin") === undefined) return next();
  return corsHandler(config)(c, next);
});
