// The x-gateway-* response headers (DESIGN §4): what the gateway did for this call.
import type { CallMeta } from "@llm-edge/shared";

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
