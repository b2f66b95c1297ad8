// Shared setup for the Redis bridge tests: a bridge on a free port in front of the shared
// redis-server, a random key prefix per run, helpers for raw REST calls, and cleanup of only the
// keys this run created.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Redis as DirectRedis } from "ioredis";
import { startRedisBridge, type RedisBridge } from "../../../dev/redis-bridge/server";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface BridgeHarness {
  bridge: RedisBridge;
  token: string;
  connectionName: string;
  /** A key under this run's random prefix. */
  key(name: string): string;
  /** Raw request to the bridge with the right token unless headers say otherwise. */
  rest(path: string, init?: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> }): Promise<Response>;
  /** ioredis straight to redis-server, for checks that must not go through the bridge. */
  direct: DirectRedis;
  close(): Promise<void>;
}

export async function startHarness(): Promise<BridgeHarness> {
  const runId = randomBytes(6).toString("hex");
  const prefix = `test:redis-bridge:${runId}:`;
  const token = `token-${runId}`;
  const connectionName = `bridge-test-${runId}`;
  const bridge = await startRedisBridge({ port: 0, token, redisUrl: REDIS_URL, connectionName });
  const direct = new DirectRedis(REDIS_URL, { protocol: 2, lazyConnect: true });
  await direct.connect();

  return {
    bridge,
    token,
    connectionName,
    key: (name) => `${prefix}${name}`,
    rest: (path, init = {}) =>
      fetch(`${bridge.url}${path}`, {
        method: init.method ?? "POST",
        body: init.body,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
      }),
    direct,
    async close() {
      await deleteKeysWithPrefix(direct, prefix);
      direct.disconnect();
      await bridge.close();
    },
  };
}

async function deleteKeysWithPrefix(redis: DirectRedis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/** A loopback port that was free a moment ago and has nothing listening on it now. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Retries `check` until it returns true or the deadline passes; returns the last verdict. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function base64(text: string | Uint8Array): string {
  return Buffer.from(text).toString("base64");
}
