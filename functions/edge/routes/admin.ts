// The admin API for keys kept in Redis, guarded by the ADMIN_API_KEY secret (constant-time check; an
// empty secret switches the API off): POST /v1/admin/keys creates a key and shows it once,
// GET /v1/admin/keys[?tenant=] lists key records, DELETE /v1/admin/keys/:id revokes one.
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { CreateApiKeyRequestSchema, GatewayError, apiKeyView, redisFromEnv } from "@llm-edge/shared";
import { constantTimeEqual } from "../auth";
import { readJsonBody } from "../body";
import { KeyStore } from "../key-store";
import { edgeKeyPrefix } from "../limits/redis";
import type { EdgeEnv } from "../types";

const requireAdminKey = createMiddleware<EdgeEnv>(async (c, next) => {
  const adminKey = c.env.ADMIN_API_KEY ?? "";
  if (!adminKey) throw new GatewayError("The admin API is off: set the ADMIN_API_KEY secret to use it.", { type: "permission_error", code: "admin_api_disabled" });
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match?.[1]) throw new GatewayError("Missing admin key. Send ADMIN_API_KEY as 'Authorization: Bearer <key>'.", { type: "authentication_error", code: "missing_api_key" });
  if (!constantTimeEqual(match[1], adminKey)) throw new GatewayError("Incorrect admin key provided.", { type: "authentication_error", code: "invalid_api_key" });
  await next();
});

/** Runs a key-store operation; Redis failing becomes 503 key_store_unavailable rather than an opaque 500. */
async function withStore<T>(env: Env, work: (store: KeyStore) => Promise<T>): Promise<T> {
  const store = new KeyStore(redisFromEnv(env), edgeKeyPrefix(env));
  try {
    return await work(store);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError("The key store (Redis) is unavailable; please retry shortly.", { type: "service_unavailable", code: "key_store_unavailable" });
  }
}

export const adminRoutes = new Hono<EdgeEnv>()
  .use("*", requireAdminKey)
  .post("/keys", async (c) => {
    const request = await readJsonBody(c, CreateApiKeyRequestSchema);
    const { key, record } = await withStore(c.env, (store) => store.create(request));
    c.get("log").info("api key created", { keyId: record.id, tenant: record.tenant });
    return c.json({ ...apiKeyView(record), key }, 201);
  })
  .get("/keys", async (c) => {
    const records = await withStore(c.env, (store) => store.list(c.req.query("tenant")));
    return c.json({ object: "list", data: records.map(apiKeyView) });
  })
  .delete("/keys/:id", async (c) => {
    const id = c.req.param("id");
    const revoked = await withStore(c.env, (store) => store.revoke(id));
    if (!revoked) throw new GatewayError(`No API key with id "${id}".`, { type: "not_found_error", code: "api_key_not_found", param: "id" });
    c.get("log").info("api key revoked", { keyId: revoked.id, tenant: revoked.tenant });
    return c.json(apiKeyView(revoked));
  });
