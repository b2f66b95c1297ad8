// Starts the whole local stack once per test run, on free ports with a throwaway data folder, and
// stops it afterwards. Tests read its URLs and API key with `inject("stack")`.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import type { TestProject } from "vitest/node";
import { parseDotenv } from "../../dev/dev-vars";
import { deleteKeysWithPrefix } from "../../dev/redis-server";
import { startStack } from "../../dev/stack";
import { TEST_PLATFORM_CONFIG } from "./platform-config";

export interface StackInfo {
  edgeUrl: string;
  simUrl: string;
  redisBridgeUrl: string;
  vectorUrl: string;
  apiKey: string;
  vars: Record<string, string>;
  wranglerLog: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export const TEST_API_KEY = "sk-test-integration";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = join(import.meta.dirname, "..", "..");
  const dataDir = mkdtempSync(join(tmpdir(), "llm-edge-it-"));
  const wranglerLog = join(dataDir, "wrangler.log");
  // Every Redis key of this run carries this prefix, and only those keys are deleted afterwards.
  const keyPrefix = `it-${randomUUID().slice(0, 8)}:`;
  const vars = {
    ...parseDotenv(readFileSync(join(root, ".dev.vars.example"), "utf8")),
    API_KEYS: `${TEST_API_KEY}=tenant-a,sk-test-other=tenant-b,sk-test-limits=it-limits,sk-test-budget=it-budget,sk-test-budget-stream=it-budget-stream,sk-test-rollup=it-rollup`,
    ADMIN_API_KEY: "sk-admin-integration",
    PLATFORM_CONFIG: JSON.stringify(TEST_PLATFORM_CONFIG),
    REDIS_KEY_PREFIX: keyPrefix,
  };
  let stack;
  try {
    stack = await startStack({
      root,
      ports: { edge: 0, sim: 0, redisBridge: 0, vector: 0, redis: Number(process.env.REDIS_PORT ?? 6379) },
      vars,
      dataDir,
      wranglerOutput: wranglerLog,
      readyTimeoutMs: 90_000,
    });
  } catch (error) {
    const log = (() => {
      try {
        return readFileSync(wranglerLog, "utf8").split("\n").slice(-40).join("\n");
      } catch {
        return "(no wrangler log)";
      }
    })();
    throw new Error(`The local stack did not start: ${(error as Error).message}\n--- wrangler log (tail) ---\n${log}`);
  }
  project.provide("stack", {
    edgeUrl: stack.urls.edge,
    simUrl: stack.urls.sim,
    redisBridgeUrl: stack.urls.redisBridge,
    vectorUrl: stack.urls.vector,
    apiKey: TEST_API_KEY,
    vars: stack.vars,
    wranglerLog,
  });
  return async () => {
    await stack.stop();
    await deleteKeysWithPrefix(stack.urls.redis, keyPrefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
