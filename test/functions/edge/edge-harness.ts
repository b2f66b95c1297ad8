// Shared setup for the edge's key, limit and CORS tests: the Hono app with a real Redis bridge (fresh
// key prefix), a platform config of the test's choosing, and a stand-in gateway binding whose
// answers carry the usage and cost a test sets, so accounting can be checked in Redis.
import { closedPort, startHarness, type BridgeHarness } from "../../dev/redis-bridge/harness";
import { app } from "../../../functions/edge/app";
import { DEV_CONFIG_INPUT } from "../../../shared/dev-config";

export const ADMIN_KEY = "sk-admin-unit-test";
export { closedPort, startHarness, type BridgeHarness };

export interface EdgeHarness {
  env: Env;
  /** Background work the app handed to waitUntil, awaited. */
  settle(): Promise<void>;
  request(path: string, init?: RequestInit & { key?: string }): Promise<Response>;
  /** Usage and cost of the stand-in gateway's next embeddings answers. */
  answer: { totalTokens: number; costUsd: number };
}

export function edgeHarness(bridge: BridgeHarness, options: { config?: Record<string, unknown>; redisUrl?: string; adminKey?: string; apiKeys?: string } = {}): EdgeHarness {
  const pending: Promise<unknown>[] = [];
  const answer = { totalTokens: 10, costUsd: 0.01 };
  const gateway = {
    models: async () => ({ object: "list", data: [] }),
    embeddings: async () => ({
      ok: true,
      response: { object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }], model: "sim-embed", usage: { prompt_tokens: answer.totalTokens, total_tokens: answer.totalTokens } },
      meta: { route: "embed", attempts: 1, costUsd: answer.costUsd, skipped: [] },
    }),
  };
  const env = {
    API_KEYS: options.apiKeys ?? "sk-config-a=tenant-a,sk-config-b=tenant-b",
    ADMIN_API_KEY: options.adminKey ?? ADMIN_KEY,
    UPSTASH_REDIS_REST_URL: options.redisUrl ?? bridge.bridge.url,
    UPSTASH_REDIS_REST_TOKEN: bridge.token,
    REDIS_KEY_PREFIX: bridge.key(`${Math.random().toString(36).slice(2, 8)}:`),
    PLATFORM_CONFIG: JSON.stringify({ ...DEV_CONFIG_INPUT, ...options.config }),
    GATEWAY: gateway,
  } as unknown as Env;
  const executionCtx = { waitUntil: (work: Promise<unknown>) => void pending.push(work), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
  return {
    env,
    answer,
    settle: async () => {
      while (pending.length) await pending.shift();
    },
    request: (path, init = {}) => {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== undefined) headers.set("authorization", `Bearer ${key}`);
      return Promise.resolve(app.request(path, { ...rest, headers }, env, executionCtx));
    },
  };
}

/** Body of a JSON POST. */
export function jsonPost(body: unknown, init: RequestInit & { key?: string } = {}): RequestInit & { key?: string } {
  return { ...init, method: "POST", headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) }, body: JSON.stringify(body) };
}
