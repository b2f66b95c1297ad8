// The stand-ins of a benchmark that runs its own Workers: a throwaway data folder, a Redis key prefix
// of its own, the vars from .dev.vars.example with the bench's API keys and platform config, and one
// stop() that stops what the bench registered (last first), the stand-ins, and removes its keys and folder.
// `benchEnvironment` (folder, prefix, vars) is shared with bench/support/dev-stack.ts.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDotenv } from "../../dev/dev-vars";
import { deleteKeysWithPrefix } from "../../dev/redis-server";
import { startStandIns, type StandIns } from "../../dev/stack";

export interface BenchEnvironmentOptions {
  /** Names the data folder (`llm-edge-<name>-…`) and the Redis key prefix (`<name>-…:`). */
  name: string;
  /** The API_KEYS var (`key=tenant,…`). */
  apiKeys: string;
  /** Becomes PLATFORM_CONFIG; when absent, .dev.vars.example's value (the dev config) stays. */
  platformConfig?: unknown;
}

export interface BenchEnvironment {
  dataDir: string;
  keyPrefix: string;
  vars: Record<string, string>;
  /** REDIS_PORT, else 6379 (a redis-server answering there is used). */
  redisPort: number;
}

/**
 * Creates a benchmark's throwaway data folder and picks its own Redis key prefix, and builds its vars:
 * .dev.vars.example with the bench's API keys, that prefix and, when given, its platform config.
 * The caller removes the folder and the keys when it is done.
 */
export function benchEnvironment(root: string, options: BenchEnvironmentOptions): BenchEnvironment {
  const dataDir = mkdtempSync(join(tmpdir(), `llm-edge-${options.name}-`));
  const keyPrefix = `${options.name}-${randomUUID().slice(0, 8)}:`;
  const vars = {
    ...parseDotenv(readFileSync(join(root, ".dev.vars.example"), "utf8")),
    API_KEYS: options.apiKeys,
    REDIS_KEY_PREFIX: keyPrefix,
    ...(options.platformConfig === undefined ? {} : { PLATFORM_CONFIG: JSON.stringify(options.platformConfig) }),
  };
  return { dataDir, keyPrefix, vars, redisPort: Number(process.env.REDIS_PORT ?? 6379) };
}

export interface BenchStandIns {
  standIns: StandIns;
  dataDir: string;
  /** Stops to run before the stand-ins stop (push what the bench starts). */
  stops: Array<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Starts the stand-ins on free ports for a benchmark named `name` (folder and key prefix). */
export async function startBenchStandIns(root: string, options: { name: string; apiKeys: string; platformConfig: unknown }): Promise<BenchStandIns> {
  const { dataDir, keyPrefix, vars, redisPort } = benchEnvironment(root, options);
  const standIns = await startStandIns({ ports: { sim: 0, redisBridge: 0, vector: 0, redis: redisPort }, vars, dataDir });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
    await standIns.stop();
    await deleteKeysWithPrefix(standIns.urls.redis, keyPrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { standIns, dataDir, stops, stop };
}
