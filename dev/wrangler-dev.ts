// Runs `wrangler dev` with every Worker in one process (the edge served, the pattern Workers bound to
// it), with secrets passed through the environment, and stops it again.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEV_CONFIG_ORDER } from "./workers";

export interface WranglerDevOptions {
  root: string;
  port: number;
  /** Secrets and vars for the Workers (each Worker receives those its [secrets] list names). */
  vars: Record<string, string>;
  /** Where Durable Object and other local state is kept. */
  persistTo: string;
  /** "inherit" shows wrangler's output in this terminal; a path writes it to that file. */
  output: "inherit" | string;
}

export interface WranglerDevHandle {
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

export function startWranglerDev(options: WranglerDevOptions): WranglerDevHandle {
  mkdirSync(options.persistTo, { recursive: true });
  // An empty env file keeps wrangler from reading the root .dev.vars directly: every Worker gets its
  // secrets the same way, from the environment below.
  const emptyEnvFile = join(options.persistTo, "empty.env");
  writeFileSync(emptyEnvFile, "");
  const args = [
    "dev",
    ...DEV_CONFIG_ORDER.flatMap((config) => ["-c", config]),
    "--ip", "127.0.0.1",
    "--port", String(options.port),
    "--persist-to", options.persistTo,
    "--env-file", emptyEnvFile,
    "--show-interactive-dev-session=false",
    "--log-level", "log",
  ];
  const toFile = options.output !== "inherit";
  const child = spawn(join(options.root, "node_modules", ".bin", "wrangler"), args, {
    cwd: options.root,
    env: {
      ...process.env,
      ...options.vars,
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_HIDE_BANNER: "true",
    },
    stdio: ["ignore", toFile ? "pipe" : "inherit", toFile ? "pipe" : "inherit"],
    detached: true,
  });
  if (toFile) {
    const log = createWriteStream(options.output, { flags: "a" });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      // wrangler starts workerd as a child: signal the whole process group.
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
