// The whole local stack (dev/stack.ts: stand-ins + `wrangler dev` with every Worker) for a benchmark
// that measures through the edge: on free ports, with the bench's own data folder, Redis key prefix,
// API keys and platform config (bench/support/stand-ins.ts `benchEnvironment`), wrangler's output in
// a log file, and one cleanup (stop the stack, delete the keys, remove the folder) that runs when the
// bench is done, fails, is interrupted (SIGINT/SIGTERM) or overruns.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { deleteKeysWithPrefix } from "../../dev/redis-server";
import { startStack, type Stack } from "../../dev/stack";
import { benchEnvironment, type BenchEnvironmentOptions } from "./stand-ins";

export interface DevStackOptions extends BenchEnvironmentOptions {
  /** How long wrangler dev may take until the edge's /health answers (default 90 s). */
  readyTimeoutMs?: number;
  /** When the bench is still running after `afterMs`, prints `message`, cleans up and exits with code 2. */
  overrun?: { afterMs: number; message: string };
}

export interface DevStackRun {
  stack: Stack;
  /** The bench's Redis key prefix (REDIS_KEY_PREFIX). */
  keyPrefix: string;
  /** The file wrangler dev's output (the Workers' log lines) goes to. */
  wranglerLog: string;
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Starts the local stack for the benchmark named `options.name`, runs `run` with it and returns what
 * `run` returns, cleaning up afterwards whether it succeeded or threw (the error is rethrown): the
 * stack is stopped, the keys under the bench's prefix deleted and its data folder removed. Ctrl-C or
 * SIGTERM while it runs cleans up the same way and exits with code 130, so wrangler dev and its
 * workerd never outlive the bench; `options.overrun` does so with code 2.
 */
export async function withDevStack<T>(root: string, options: DevStackOptions, run: (context: DevStackRun) => Promise<T>): Promise<T> {
  const { dataDir, keyPrefix, vars, redisPort } = benchEnvironment(root, options);
  const wranglerLog = join(dataDir, "wrangler.log");
  let stack: Stack | undefined;
  let cleanup: Promise<void> | undefined;
  const cleanUp = () =>
    (cleanup ??= (async () => {
      await stack?.stop().catch(() => {});
      if (stack) await deleteKeysWithPrefix(stack.urls.redis, keyPrefix).catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    })());
  const cleanUpAndExit = (code: number) => void cleanUp().then(() => process.exit(code));
  const onSignal = () => cleanUpAndExit(130);
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  const { overrun } = options;
  const overrunTimer = overrun
    ? setTimeout(() => {
        console.error(overrun.message);
        cleanUpAndExit(2);
      }, overrun.afterMs).unref()
    : undefined;
  try {
    stack = await startStack({
      root,
      ports: { edge: 0, sim: 0, redisBridge: 0, vector: 0, redis: redisPort },
      vars,
      dataDir,
      wranglerOutput: wranglerLog,
      readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    });
    return await run({ stack, keyPrefix, wranglerLog });
  } finally {
    clearTimeout(overrunTimer);
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    await cleanUp();
  }
}
