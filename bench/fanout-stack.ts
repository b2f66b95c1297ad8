// The fan-out benchmark's stack: the stand-ins (dev/stack.ts) on free ports, our five Workers on
// workerd through Miniflare (the built bundles, as bench/gateway does), and the lower-bound peer — a
// plain Worker that runs N gateway calls with one Promise.all over the same gateway Worker's RPC, no
// coordinator, no durability, no pipeline. Routes: `bench-slow` and `bench-fast` on simulated models
// whose latency the benchmark sets with simulator faults.
import { join } from "node:path";
import { DEV_CONFIG_INPUT } from "../shared/dev-config";
import { buildBundles, startGatewayFront, startOurWorkers } from "./gateway/workerd";
import { startBenchStandIns } from "./support/stand-ins";

export const FANOUT_BENCH_KEY = "sk-bench-fanout";

const sim = (model: string) => ({ targets: [{ provider: "sim", model }], retry: { maxAttempts: 1 } });

/** The dev config with the two benchmark routes and the cache off (every branch reaches the simulator). */
const PLATFORM_CONFIG = {
  ...DEV_CONFIG_INPUT,
  routes: { ...DEV_CONFIG_INPUT.routes, "bench-slow": sim("bench-slow"), "bench-fast": sim("bench-fast") },
  cache: { enabled: false },
};

/** The lower bound: N gateway calls at once from one Worker invocation (body: {model, prompts}). */
const PROMISE_ALL_SCRIPT = `
export default {
  async fetch(request, env) {
    const { model, prompts } = await request.json();
    const context = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
    const results = await Promise.all(prompts.map((prompt) =>
      env.GATEWAY.chat(context, { request: { model, messages: [{ role: "user", content: prompt }] }, tenant: "bench" })));
    return Response.json({ ok: results.filter((result) => result.ok).length });
  },
};`;

export interface FanoutBenchStack {
  edgeUrl: string;
  simUrl: string;
  /** POST {model, prompts} → {ok}: the Promise.all Worker. */
  promiseAllUrl: string;
  stop(): Promise<void>;
}

/** Starts the stand-ins, builds and starts our Workers and the Promise.all peer; stop() removes everything. */
export async function startFanoutBenchStack(root: string): Promise<FanoutBenchStack> {
  const { standIns, dataDir, stops, stop } = await startBenchStandIns(root, { name: "bench-fanout", apiKeys: `${FANOUT_BENCH_KEY}=bench`, platformConfig: PLATFORM_CONFIG });
  try {
    buildBundles(root);
    const ours = await startOurWorkers(root, standIns.vars, join(dataDir, "workerd.log"));
    stops.push(ours.stop);
    const peer = await startGatewayFront(root, standIns.vars, join(dataDir, "promise-all.log"), { name: "promise-all", script: PROMISE_ALL_SCRIPT });
    stops.push(peer.stop);
    return { edgeUrl: ours.url, simUrl: standIns.urls.sim, promiseAllUrl: peer.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
