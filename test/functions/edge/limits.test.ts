// Rate limits and budgets through the edge app on real Redis: request windows (per tenant and per
// stored key) answer 429 + Retry-After + x-ratelimit-* and recover when the window turns; token
// windows and daily budgets count what answers used (after the response) and then refuse; a tenant
// without limits makes no Redis call (it works with Redis unreachable, with no fail-open mark); with
// limits and Redis unreachable the request passes, marked fail-open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, closedPort, edgeHarness, jsonPost, startHarness, type BridgeHarness } from "./edge-harness";

let bridge: BridgeHarness;
beforeAll(async () => {
  bridge = await startHarness();
});
afterAll(async () => {
  await bridge?.close();
});

const config = {
  tenants: {
    overrides: {
      "lim-req": { requests: { limit: 2, windowSeconds: 1 } },
      "lim-tok": { tokens: { limit: 15, windowSeconds: 60 } },
      "lim-bud": { budget: { dailyUsd: 0.015 } },
    },
  },
};
const apiKeys = "sk-req=lim-req,sk-tok=lim-tok,sk-bud=lim-bud,sk-free=free";
const embed = (key: string) => jsonPost({ model: "embed", input: "hello" }, { key });
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string } };

async function pollStatus(send: () => Promise<Response>, status: number, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await send();
    if (response.status === status || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("request windows", () => {
  it("refuses with 429, Retry-After and x-ratelimit headers once used up, and recovers in the next window", async () => {
    const edge = edgeHarness(bridge, { config, apiKeys });
    const first = await edge.request("/v1/models", { key: "sk-req" });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(Number(first.headers.get("x-ratelimit-remaining-requests"))).toBeLessThanOrEqual(1);
    expect(first.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(ms|s)$/);

    const refused = await pollStatus(() => edge.request("/v1/models", { key: "sk-req" }), 429, 3_000);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const body = (await refused.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded", param: null });
    expect(body.error.message).toContain("tenant lim-req");

    const recovered = await pollStatus(() => edge.request("/v1/models", { key: "sk-req" }), 200, 3_000);
    expect(recovered.status).toBe(200);
  });

  it("applies a stored key's own window on top of its tenant's", async () => {
    const edge = edgeHarness(bridge, { config, apiKeys });
    const created = await edge.request("/v1/admin/keys", jsonPost({ tenant: "free", limits: { requests: { limit: 1, windowSeconds: 60 } } }, { key: ADMIN_KEY }));
    const { key } = (await created.json()) as { key: string };
    expect((await edge.request("/v1/models", { key })).status).toBe(200);
    const refused = await edge.request("/v1/models", { key });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.message).toContain("API key key_");
    expect((await edge.request("/v1/models", { key: "sk-free" })).status).toBe(200);
  });
});

describe("token windows and budgets", () => {
  it("counts the tokens of each answer and refuses once the window is spent", async () => {
    const edge = edgeHarness(bridge, { config, apiKeys });
    const first = await edge.request("/v1/embeddings", embed("sk-tok"));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-remaining-tokens")).toBe("15");
    await edge.settle();
    const second = await edge.request("/v1/embeddings", embed("sk-tok"));
    expect(second.headers.get("x-ratelimit-remaining-tokens")).toBe("5");
    await edge.settle();
    const refused = await edge.request("/v1/embeddings", embed("sk-tok"));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("rate_limit_exceeded");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // A route that spends nothing is not held back by the token window.
    expect((await edge.request("/v1/models", { key: "sk-tok" })).status).toBe(200);
  });

  it("sums the cost per day and refuses with insufficient_quota once the budget is reached", async () => {
    const edge = edgeHarness(bridge, { config, apiKeys });
    expect((await edge.request("/v1/embeddings", embed("sk-bud"))).status).toBe(200);
    await edge.settle();
    expect((await edge.request("/v1/embeddings", embed("sk-bud"))).status).toBe(200);
    await edge.settle();
    const day = new Date().toISOString().slice(0, 10);
    expect(Number(await bridge.direct.get(`${edge.env.REDIS_KEY_PREFIX}edge:spend:lim-bud:d:${day}`))).toBeCloseTo(0.02, 8);
    const refused = await edge.request("/v1/embeddings", embed("sk-bud"));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ type: "rate_limit_error", code: "insufficient_quota" });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });
});

describe("without Redis", () => {
  it("a tenant without limits never touches Redis for limits", async () => {
    const edge = edgeHarness(bridge, { config, apiKeys, redisUrl: `http://127.0.0.1:${await closedPort()}` });
    const response = await edge.request("/v1/embeddings", embed("sk-free"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-ratelimit")).toBeNull();
    expect(response.headers.get("x-ratelimit-limit-requests")).toBeNull();
  });

  it("a tenant with limits passes, marked x-gateway-ratelimit: fail-open", async () => {
    const edge = edgeHarness(bridge, { config, apiKeys, redisUrl: `http://127.0.0.1:${await closedPort()}` });
    for (const key of ["sk-req", "sk-tok", "sk-bud"]) {
      const response = await edge.request("/v1/embeddings", embed(key));
      expect(response.status).toBe(200);
      expect(response.headers.get("x-gateway-ratelimit")).toBe("fail-open");
    }
  });
});
