// The x-gateway-* response headers (DESIGN §4): what the gateway did for this call.
import type { CallMeta, PipelineMeta } from "@llm-edge/shared";

export function gatewayHeaders(meta: CallMeta): Record<string, string> {
  const headers: Record<string, string> = {
    "x-gateway-route": meta.route,
    "x-gateway-attempts": String(meta.attempts),
  };
  if (meta.provider) headers["x-gateway-provider"] = meta.provider;
  if (meta.model) headers["x-gateway-model"] = meta.model;
  if (meta.fallbackIndex !== undefined) headers["x-gateway-fallback-index"] = String(meta.fallbackIndex);
  if (meta.costUsd !== undefined) headers["x-gateway-cost-usd"] = meta.costUsd.toFixed(8);
  if (meta.skipped.length) headers["x-gateway-skipped"] = meta.skipped.map((skip) => `${skip.target};${skip.reason}`).join(", ");
  return headers;
}

/**
 * Headers for a pipeline answer: the gateway's (when it was called), the cache verdict and the
 * guardrail verdicts. A cache hit made no upstream call and cost nothing.
 */
export function pipelineHeaders(meta: PipelineMeta): Record<string, string> {
  const headers: Record<string, string> = meta.call ? gatewayHeaders(meta.call) : {};
  headers["x-gateway-cache"] = meta.cache;
  if (meta.guardrail) headers["x-gateway-guardrail"] = meta.guardrail;
  if (meta.reviewId) headers["x-gateway-review-id"] = meta.reviewId;
  if (meta.cache.startsWith("HIT")) {
    headers["x-gateway-attempts"] = "0";
    headers["x-gateway-cost-usd"] = (0).toFixed(8);
  }
  return headers;
}
