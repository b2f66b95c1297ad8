// The stand-ins of a benchmark that runs its own Workers: a throwaway data folder, a Redis key prefix
// of its own, the vars from .dev.vars.example with the bench's API keys and platform config, and one
// stop() that stops what the bench registered (last first), the stand-ins, and removes its keys and folder.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDotenv } from "../../dev/dev-vars";
import { deleteKeysWithPrefix } from "../../dev/redis-server";
import { startStandIns, type StandIns } from "../../dev/stack";

export interface BenchStandIns {
  standIns: StandIns;
  dataDir: string;
  /** Stops to run before the stand-ins stop (push what the bench starts). */
  stops: Array<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Starts the stand-ins on free ports for a benchmark named `name` (folder and key prefix). */
export async function startBenchStandIns(root: string, options: { name: string; apiKeys: string; platformConfig: unknown }): Promise<BenchStandIns> {
  const dataDir = mkdtempSync(join(tmpdir(), `llm-edge-${options.name}-`));
  const keyPrefix = `${options.name}-${randomUUID().slice(0, 8)}:`;
  const vars = {
    ...parseDotenv(readFileSync(join(root, ".dev.vars.example"), "utf8")),
    API_KEYS: options.apiKeys,
    REDIS_KEY_PREFIX: keyPrefix,
    PLATFORM_CONFIG: JSON.stringify(options.platformConfig),
  };
  const standIns = await startStandIns({ ports: { sim: 0, redisBridge: 0, vector: 0, redis: Number(process.env.REDIS_PORT ?? 6379) }, vars, dataDir });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => {});
    await standIns.stop();
    await deleteKeysWithPrefix(standIns.urls.redis, keyPrefix).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { standIns, dataDir, stops, stop };
}
