// Bearer-key authentication for /v1/*. Keys come from the API_KEYS secret as "key=tenant" pairs
// separated by commas (a bare key belongs to tenant "default"); comparison is constant-time.
import { createMiddleware } from "hono/factory";
import { GatewayError } from "@llm-edge/shared";
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

export const requireApiKey = createMiddleware<EdgeEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    throw new GatewayError("Missing API key. Send it as 'Authorization: Bearer <key>'.", { type: "authentication_error", code: "missing_api_key" });
  }
  const tenant = tenantForKey(match[1], parseApiKeys(c.env.API_KEYS));
  if (!tenant) throw new GatewayError("Incorrect API key provided.", { type: "authentication_error", code: "invalid_api_key" });
  c.set("tenant", tenant);
  await next();
});
