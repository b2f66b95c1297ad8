// Bearer-key authentication for /v1/*. Keys come from the API_KEYS secret as "key=tenant" pairs
// separated by commas (a bare key belongs to tenant "default"; comparison is constant-time), or from
// the key store in Redis (keys made by the admin API, looked up by their SHA-256). When Redis cannot
// answer, config keys keep working and stored keys fail closed with 503 key_store_unavailable.
import { createMiddleware } from "hono/factory";
import { GatewayError, redisFromEnv } from "@llm-edge/shared";
import { KeyStore, MANAGED_KEY_PREFIX } from "./key-store";
import { edgeKeyPrefix } from "./limits/redis";
import type { EdgeEnv } from "./types";

const encoder = new TextEncoder();

/** Compares two strings in time that depends only on their lengths' maximum, not on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return difference === 0;
}

/** Parses API_KEYS ("sk-a=acme,sk-b=globex,sk-c") into key → tenant pairs. */
export function parseApiKeys(raw: string | undefined): Array<{ key: string; tenant: string }> {
  return (raw ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const separator = entry.indexOf("=");
      return separator === -1
        ? { key: entry, tenant: "default" }
        : { key: entry.slice(0, separator).trim(), tenant: entry.slice(separator + 1).trim() || "default" };
    });
}

/** Finds the tenant of a presented key, checking every configured key so timing reveals nothing. */
export function tenantForKey(presented: string, keys: Array<{ key: string; tenant: string }>): string | undefined {
  let tenant: string | undefined;
  for (const entry of keys) if (constantTimeEqual(presented, entry.key)) tenant = entry.tenant;
  return tenant;
}

let parsedKeys: { raw: string | undefined; keys: Array<{ key: string; tenant: string }> } | undefined;

/** parseApiKeys, once per isolate and API_KEYS value. */
function configKeys(raw: string | undefined): Array<{ key: string; tenant: string }> {
  if (parsedKeys === undefined || parsedKeys.raw !== raw) parsedKeys = { raw, keys: parseApiKeys(raw) };
  return parsedKeys.keys;
}

const invalidKey = (message = "Incorrect API key provided.") => new GatewayError(message, { type: "authentication_error", code: "invalid_api_key" });

export const requireApiKey = createMiddleware<EdgeEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    throw new GatewayError("Missing API key. Send it as 'Authorization: Bearer <key>'.", { type: "authentication_error", code: "missing_api_key" });
  }
  const presented = match[1];
  const tenant = tenantForKey(presented, configKeys(c.env.API_KEYS));
  if (tenant) {
    c.set("tenant", tenant);
    c.set("apiKey", undefined);
    return next();
  }
  if (!presented.startsWith(MANAGED_KEY_PREFIX)) throw invalidKey();
  const lookup = await new KeyStore(redisFromEnv(c.env), edgeKeyPrefix(c.env)).lookup(presented);
  if (lookup.status === "unavailable") {
    c.get("log").warn("key store unavailable: stored keys refused", { reason: lookup.reason });
    throw new GatewayError("API keys issued by the admin API cannot be checked right now; please retry shortly.", { type: "service_unavailable", code: "key_store_unavailable" });
  }
  if (lookup.status === "revoked") throw invalidKey("This API key has been revoked.");
  if (lookup.status === "unknown") throw invalidKey();
  c.set("tenant", lookup.record.tenant);
  c.set("apiKey", { id: lookup.record.id, ...(lookup.record.limits ? { limits: lookup.record.limits } : {}) });
  await next();
});
