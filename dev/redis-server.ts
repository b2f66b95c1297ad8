// Makes sure a real redis-server answers: uses one that is already running, or starts one (no
// persistence) and stops only that one later. Says how to install Redis when it is missing.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { portAnswers, waitFor } from "./ports";

export interface RedisHandle {
  url: string;
  startedHere: boolean;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT = "Install it with: sudo apt-get install -y redis-server   (macOS: brew install redis)";

function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Returns a Redis on 127.0.0.1:port, starting `redis-server` if nothing answers there. */
export async function ensureRedis(port: number): Promise<RedisHandle> {
  const url = `redis://127.0.0.1:${port}`;
  if (await portAnswers(port)) return { url, startedHere: false, stop: async () => {} };
  if (!redisServerInstalled()) throw new Error(`No Redis answers on 127.0.0.1:${port} and redis-server is not installed. ${REDIS_INSTALL_HINT}`);

  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitFor(() => portAnswers(port), 10_000, `redis-server on port ${port}`);
  return {
    url,
    startedHere: true,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Deletes every key under `prefix` (a test or benchmark run's own keys), and nothing else. */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (let cursor = "0"; ; ) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === "0") break;
    }
  } finally {
    redis.disconnect();
  }
}
