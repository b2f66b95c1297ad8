// Our side of the gateway benchmark: the whole local stack (dev/stack.ts) on free ports with a
// throwaway data folder, and one probe that tells whether the edge already serves chat completions.
// When the stack cannot start, a bare simulator stands in so the other peers can still be measured.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDotenv } from "../../dev/dev-vars";
import { startSimProvider } from "../../dev/sim-provider/server";
import { startStack } from "../../dev/stack";

export const BENCH_API_KEY = "sk-bench-gateway";

export interface OurEdge {
  url: string;
  apiKey: string;
}

export interface BenchStack {
  simUrl: string;
  /** The edge when it answers chat completions; otherwise why it cannot be measured. */
  edge: { ok: true; value: OurEdge } | { ok: false; reason: string };
  wranglerLog: string;
  stop(): Promise<void>;
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no wrangler log)";
  }
}

/** One non-stream chat completion through the edge; undefined when it answered like the simulator would. */
async function probeChat(edge: OurEdge): Promise<string | undefined> {
  try {
    const response = await fetch(`${edge.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${edge.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "default", messages: [{ role: "user", content: "benchmark probe" }] }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status === 200 && text.includes("[simulated ")) return undefined;
    return `POST /v1/chat/completions answered ${response.status}: ${text.slice(0, 300)}`;
  } catch (error) {
    return `POST /v1/chat/completions failed: ${(error as Error).message}`;
  }
}

/**
 * Starts the stack (vars from .dev.vars.example, a bench-only API key) and probes the edge. If the
 * stack does not come up within `readyTimeoutMs`, starts a lone simulator instead and reports why.
 */
export async function startBenchStack(readyTimeoutMs = 90_000): Promise<BenchStack> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const dataDir = mkdtempSync(join(tmpdir(), "llm-edge-bench-"));
  const wranglerLog = join(dataDir, "wrangler.log");
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const vars = { ...parseDotenv(readFileSync(join(root, ".dev.vars.example"), "utf8")), API_KEYS: `${BENCH_API_KEY}=bench` };
  try {
    const stack = await startStack({
      root,
      ports: { edge: 0, sim: 0, redisBridge: 0, vector: 0, redis: Number(process.env.REDIS_PORT ?? 6379) },
      vars,
      dataDir,
      wranglerOutput: wranglerLog,
      readyTimeoutMs,
    });
    const edge = { url: stack.urls.edge, apiKey: BENCH_API_KEY };
    const problem = await probeChat(edge);
    return {
      simUrl: stack.urls.sim,
      edge: problem === undefined ? { ok: true, value: edge } : { ok: false, reason: `the edge does not serve chat completions yet: ${problem}` },
      wranglerLog,
      stop: async () => {
        await stack.stop();
        removeDataDir();
      },
    };
  } catch (error) {
    const reason = `the local stack did not start: ${(error as Error).message}\n--- wrangler log (tail) ---\n${tail(wranglerLog, 20)}`;
    const sim = await startSimProvider({ port: 0 });
    return {
      simUrl: sim.url,
      edge: { ok: false, reason },
      wranglerLog,
      stop: async () => {
        await sim.close();
        removeDataDir();
      },
    };
  }
}
