// The Worker's view of its environment: PLATFORM_CONFIG.guardrails (missing → defaults, invalid →
// 503 invalid_config) and a review queue under REDIS_KEY_PREFIX on real Redis through the bridge.
import { randomBytes } from "node:crypto";
import { Redis as DirectRedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisBridge, type RedisBridge } from "../../../dev/redis-bridge/server";
import { guardrailConfig, reviewQueueFromEnv } from "../../../functions/guardrail/config";
import { REDIS_URL } from "./helpers";

const platform = (guardrails: unknown) => JSON.stringify({ providers: {}, routes: {}, guardrails });

describe("guardrailConfig", () => {
  it("falls back to the default policy when PLATFORM_CONFIG is empty", () => {
    expect(Object.keys(guardrailConfig({}).policies)).toEqual(["default"]);
  });
  it("reads named policies and assignments", () => {
    const config = guardrailConfig({ PLATFORM_CONFIG: platform({ policies: { strict: {} }, assignments: [{ tenant: "acme", policy: "strict" }] }) });
    expect(Object.keys(config.policies).sort()).toEqual(["default", "strict"]);
  });
  it("answers a 503 invalid_config for a config it cannot use", () => {
    expect(() => guardrailConfig({ PLATFORM_CONFIG: platform({ defaultPolicy: "missing" }) })).toThrow(expect.objectContaining({ status: 503, code: "invalid_config" }));
  });
});

describe("reviewQueueFromEnv", () => {
  let bridge: RedisBridge;
  let direct: DirectRedis;
  const runPrefix = `test:guardrail-env:${randomBytes(6).toString("hex")}:`;
  const token = "env-token";
  beforeAll(async () => {
    bridge = await startRedisBridge({ port: 0, token, redisUrl: REDIS_URL });
    direct = new DirectRedis(REDIS_URL, { protocol: 2, lazyConnect: true });
    await direct.connect();
  });
  afterAll(async () => {
    const keys = await direct.keys(`${runPrefix}*`);
    if (keys.length > 0) await direct.del(...keys);
    direct.disconnect();
    await bridge.close();
  });

  it("is absent without Upstash settings", () => {
    expect(reviewQueueFromEnv({}, guardrailConfig({}))).toBeUndefined();
  });

  it("keeps its keys under REDIS_KEY_PREFIX + guardrail:", async () => {
    const queue = reviewQueueFromEnv({ UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token, REDIS_KEY_PREFIX: runPrefix }, guardrailConfig({}))!;
    const review = await queue.create({ tenant: "acme", direction: "input", reason: "r", findings: [], preview: "p", requestHash: "h" });
    const keys = await direct.keys(`${runPrefix}*`);
    expect(keys).toContain(`${runPrefix}guardrail:review:acme:${review.id}`);
    expect(keys.every((key) => key.startsWith(`${runPrefix}guardrail:`))).toBe(true);
  });
});
