// The x-gateway-cache-control request header: "no-store" (answer is not cached) and/or "refresh"
// (skip the lookup, store the fresh answer). Unknown directives are a 400, not silently ignored.
import { GatewayError, type CacheControl } from "@llm-edge/shared";

export function parseCacheControl(header: string | undefined): CacheControl | undefined {
  if (!header) return undefined;
  const control: CacheControl = { noStore: false, refresh: false };
  for (const directive of header.split(",").map((part) => part.trim().toLowerCase()).filter(Boolean)) {
    if (directive === "no-store") control.noStore = true;
    else if (directive === "refresh") control.refresh = true;
    else throw new GatewayError(`Unknown x-gateway-cache-control directive "${directive}": use no-store and/or refresh.`, { type: "invalid_request_error", code: "invalid_cache_control" });
  }
  return control;
}
