// Our side of the gateway benchmark: the stand-ins (dev/stack.ts) on free ports with a throwaway
// data folder and a Redis key prefix of its own, our Workers run the way production runs them (the
// built bundles on workerd through Miniflare, no dev-server proxy), the "workerd floor" pass-through
// Worker, the RPC floor (a bare front Worker calling a pass-through Worker over RPC), our gateway alone
// behind the same front Worker, and optionally `wrangler dev` as an extra row.
// When our Workers cannot start, the other peers are still measured and the reason is reported.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_CONFIG_INPUT } from "../../shared/dev-config";
import { freePort, waitFor } from "../../dev/ports";
import type { StandIns } from "../../dev/stack";
import { startWranglerDev } from "../../dev/wrangler-dev";
import { startBenchStandIns } from "../support/stand-ins";
import { buildBundles, startFloorWorker, startGatewayOnly, startOurWorkers, startRpcFloor, type RunningWorkers } from "./workerd";

export const BENCH_API_KEY = "sk-bench-gateway";
/** A second key, of a tenant whose guardrail policy is off: our edge with Portkey's feature set. */
export const BENCH_PLAIN_API_KEY = "sk-bench-plain";

/**
 * The offline dev routes with the semantic cache switched off: the peers are compared as gateways on
 * the same unique requests (Portkey runs without a cache), and cache lookups would put an embedding
 * (~35 ms of CPU on this machine, in the stand-in) on every request. Guardrails stay on: every chat
 * request of the default policy passes them, so they are part of "ours"; the tenant of
 * BENCH_PLAIN_API_KEY has them off (a policy with `enabled: false`), so the pipeline calls only the gateway.
 */
export const BENCH_PLATFORM_CONFIG = {
  ...DEV_CONFIG_INPUT,
  cache: { enabled: false },
  guardrails: { policies: { off: { enabled: false } }, assignments: [{ tenant: "bench-plain", policy: "off" }] },
};

export interface OurEdge {
  url: string;
  apiKey: string;
}

export type Availability<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface BenchStack {
  simUrl: string;
  /** Our edge on workerd (Miniflare, built bundles) when it answers chat completions. */
  edge: Availability<OurEdge>;
  /** The pass-through Worker on the same runtime. */
  floor: Availability<string>;
  /** A bare front Worker calling a pass-through Worker over RPC: two Workers and one hop, no code of ours. */
  rpcFloor: Availability<string>;
  /** Our gateway Worker alone behind a bare front Worker (the RPC path without the edge's pipeline). */
  gatewayOnly: Availability<string>;
  /** Starts our Workers under `wrangler dev` as well (the old way, with its proxy Worker in front). */
  startWranglerDev(): Promise<Availability<OurEdge & { stop(): Promise<void> }>>;
  stop(): Promise<void>;
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
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

async function startOurs(root: string, standIns: StandIns, dataDir: string): Promise<{ edge: Availability<OurEdge>; workers?: RunningWorkers }> {
  const log = join(dataDir, "workerd.log");
  try {
    buildBundles(root);
    const workers = await startOurWorkers(root, standIns.vars, log);
    const edge = { url: workers.url, apiKey: BENCH_API_KEY };
    const problem = await probeChat(edge);
    return { edge: problem === undefined ? { ok: true, value: edge } : { ok: false, reason: `the edge does not serve chat completions: ${problem}` }, workers };
  } catch (error) {
    return { edge: { ok: false, reason: `our Workers did not start on Miniflare: ${(error as Error).message}\n--- workerd log (tail) ---\n${tail(log, 20)}` } };
  }
}

/**
 * Starts the stand-ins (vars from .dev.vars.example, a bench-only API key and Redis prefix), builds
 * and starts our Workers on Miniflare and the floor Worker, and probes our edge.
 */
export async function startBenchStack(root = fileURLToPath(new URL("../..", import.meta.url))): Promise<BenchStack> {
  const { standIns, dataDir, stops, stop } = await startBenchStandIns(root, {
    name: "bench",
    apiKeys: `${BENCH_API_KEY}=bench,${BENCH_PLAIN_API_KEY}=bench-plain`,
    platformConfig: BENCH_PLATFORM_CONFIG,
  });

  const ours = await startOurs(root, standIns, dataDir);
  if (ours.workers) stops.push(ours.workers.stop);
  /** Starts a Worker peer; when it cannot start, says why and the other peers are still measured. */
  const startPeer = async (what: string, starting: Promise<RunningWorkers>): Promise<Availability<string>> => {
    try {
      const workers = await starting;
      stops.push(workers.stop);
      return { ok: true, value: workers.url };
    } catch (error) {
      return { ok: false, reason: `${what} did not start: ${(error as Error).message}` };
    }
  };
  const floor = await startPeer("the floor Worker", startFloorWorker(standIns.urls.sim, join(dataDir, "floor.log")));
  const rpcFloor = await startPeer("the RPC floor Workers", startRpcFloor(standIns.urls.sim, join(dataDir, "rpc-floor.log")));
  const gatewayOnly = await startPeer("the gateway-only Workers", startGatewayOnly(root, standIns.vars, join(dataDir, "gateway-only.log")));

  const startWranglerPeer = async (): Promise<Availability<OurEdge & { stop(): Promise<void> }>> => {
    const port = await freePort();
    const output = join(dataDir, "wrangler.log");
    const wrangler = startWranglerDev({ root, port, vars: standIns.vars, persistTo: join(dataDir, "wrangler"), output });
    const edge = { url: `http://127.0.0.1:${port}`, apiKey: BENCH_API_KEY };
    try {
      await waitFor(async () => (await probeChat(edge)) === undefined, 90_000, "wrangler dev", 250);
      return { ok: true, value: { ...edge, stop: () => wrangler.stop() } };
    } catch (error) {
      await wrangler.stop();
      return { ok: false, reason: `${(error as Error).message}\n--- wrangler log (tail) ---\n${tail(output, 20)}` };
    }
  };

  return { simUrl: standIns.urls.sim, edge: ours.edge, floor, rpcFloor, gatewayOnly, startWranglerDev: startWranglerPeer, stop };
}
