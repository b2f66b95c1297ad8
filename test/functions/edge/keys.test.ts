// Keys kept in Redis through the admin API: created (shown once, stored only as a hash), used as a
// bearer key of their tenant, listed, revoked (refused from then on); the admin key guards it all;
// with Redis unreachable, API_KEYS keys still work and stored keys fail closed with a 503.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, closedPort, edgeHarness, jsonPost, startHarness, type BridgeHarness } from "./edge-harness";

let bridge: BridgeHarness;
beforeAll(async () => {
  bridge = await startHarness();
});
afterAll(async () => {
  await bridge?.close();
});

async function createKey(edge: ReturnType<typeof edgeHarness>, body: Record<string, unknown>): Promise<{ id: string; key: string; tenant: string }> {
  const response = await edge.request("/v1/admin/keys", jsonPost(body, { key: ADMIN_KEY }));
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; key: string; tenant: string };
}

describe("admin API and stored keys", () => {
  it("creates a key that authenticates as its tenant and is stored only as a hash", async () => {
    const edge = edgeHarness(bridge);
    const created = await createKey(edge, { tenant: "acme", name: "ci" });
    expect(created.key).toMatch(/^sk-edge-[A-Za-z0-9_-]{40,}$/);
    expect(created).toMatchObject({ object: "api_key", tenant: "acme", name: "ci", revoked_at: null, redacted_key: `sk-edge-…${created.key.slice(-4)}` });

    const models = await edge.request("/v1/models", { key: created.key });
    expect(models.status).toBe(200);

    const stored = await bridge.direct.keys(`${edge.env.REDIS_KEY_PREFIX}edge:apikey*`);
    expect(stored).toHaveLength(2);
    for (const name of stored) {
      const value = (await bridge.direct.type(name)) === "hash" ? JSON.stringify(await bridge.direct.hgetall(name)) : ((await bridge.direct.get(name)) ?? "");
      expect(name + value).not.toContain(created.key);
      expect(name + value).not.toContain(created.key.slice("sk-edge-".length));
    }
  });

  it("lists keys without their text, by tenant", async () => {
    const edge = edgeHarness(bridge);
    const first = await createKey(edge, { tenant: "list-a" });
    const second = await createKey(edge, { tenant: "list-b", limits: { requests: { limit: 5, windowSeconds: 60 } } });
    const all = (await (await edge.request("/v1/admin/keys", { key: ADMIN_KEY })).json()) as { data: Array<Record<string, unknown>> };
    expect(all.data.map((key) => key.id)).toEqual([first.id, second.id]);
    expect(JSON.stringify(all)).not.toContain(first.key);
    expect(all.data[1]).toMatchObject({ tenant: "list-b", limits: { requests: { limit: 5, windowSeconds: 60 } } });
    const onlyB = (await (await edge.request("/v1/admin/keys?tenant=list-b", { key: ADMIN_KEY })).json()) as { data: Array<Record<string, unknown>> };
    expect(onlyB.data.map((key) => key.id)).toEqual([second.id]);
  });

  it("refuses a revoked key with 401 and keeps it listed as revoked", async () => {
    const edge = edgeHarness(bridge);
    const created = await createKey(edge, { tenant: "acme" });
    expect((await edge.request("/v1/models", { key: created.key })).status).toBe(200);
    const revoked = await edge.request(`/v1/admin/keys/${created.id}`, { method: "DELETE", key: ADMIN_KEY });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).toMatch(/^\d{4}-/);

    const refused = await edge.request("/v1/models", { key: created.key });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { message: "This API key has been revoked.", type: "authentication_error", param: null, code: "invalid_api_key" } });
    expect((await edge.request("/v1/admin/keys/key_nope", { method: "DELETE", key: ADMIN_KEY })).status).toBe(404);
  });

  it("guards the admin API with ADMIN_API_KEY, and switches it off when that is empty", async () => {
    const edge = edgeHarness(bridge);
    const body = jsonPost({ tenant: "acme" });
    expect(((await (await edge.request("/v1/admin/keys", body)).json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
    const wrong = await edge.request("/v1/admin/keys", { ...body, key: "sk-config-a" });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");

    const off = edgeHarness(bridge, { adminKey: "" });
    const disabled = await off.request("/v1/admin/keys", { key: "anything" });
    expect(disabled.status).toBe(403);
    expect(((await disabled.json()) as { error: { code: string } }).error.code).toBe("admin_api_disabled");
  });

  it("rejects a bad create body with 400 naming the parameter", async () => {
    const edge = edgeHarness(bridge);
    for (const [body, param] of [
      [{ tenant: "" }, "tenant"],
      [{ tenant: "a b" }, "tenant"],
      [{ tenant: "acme", limits: { requests: { limit: 0, windowSeconds: 60 } } }, "limits.requests.limit"],
      [{ tenant: "acme", extra: 1 }, "body"],
    ] as const) {
      const response = await edge.request("/v1/admin/keys", jsonPost(body, { key: ADMIN_KEY }));
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = ((await response.json()) as { error: { param: string | null } }).error;
      expect(error.param ?? "body").toBe(param);
    }
  });

  it("with Redis unreachable: config keys work, stored keys get 503 key_store_unavailable, the admin API 503", async () => {
    const edge = edgeHarness(bridge, { redisUrl: `http://127.0.0.1:${await closedPort()}` });
    expect((await edge.request("/v1/models", { key: "sk-config-a" })).status).toBe(200);
    const stored = await edge.request("/v1/models", { key: "sk-edge-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    expect(stored.status).toBe(503);
    expect(((await stored.json()) as { error: { code: string } }).error.code).toBe("key_store_unavailable");
    const admin = await edge.request("/v1/admin/keys", { key: ADMIN_KEY });
    expect(admin.status).toBe(503);
    expect(((await admin.json()) as { error: { code: string } }).error.code).toBe("key_store_unavailable");
    expect((await edge.request("/v1/models", { key: "sk-not-a-key" })).status).toBe(401);
  });
});
