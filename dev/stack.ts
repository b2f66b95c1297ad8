// The offline local stack: real redis-server, the three stand-ins (Upstash Redis REST bridge, Upstash
// Vector server, simulated LLM provider) and `wrangler dev` with every Worker. Used by `npm run dev`
// and, on free ports, by the integration tests; the gateway benchmark starts only the stand-ins
// (`startStandIns`), whose `restartable` handles let a test stop and restart the Redis bridge or the
// Vector server mid-run. A stand-in is skipped when .dev.vars points its URL at a real (non-loopback) service.
import { join } from "node:path";
import { isLoopbackUrl } from "./dev-vars";
import { freePort, waitFor } from "./ports";
import { startRedisBridge } from "./redis-bridge/server";
import { ensureRedis } from "./redis-server";
import { startSimProvider } from "./sim-provider/server";
import { embed } from "./embedder";
import { startVectorServer } from "./vector-server/server";
import { startWranglerDev } from "./wrangler-dev";

export interface StackPorts {
  edge: number;
  sim: number;
  redisBridge: number;
  vector: number;
  redis: number;
}

export interface StackOptions {
  root: string;
  /** 0 picks a free port (except redis, which is used when it answers). */
  ports: StackPorts;
  vars: Record<string, string>;
  dataDir: string;
  wranglerOutput: "inherit" | string;
  readyTimeoutMs?: number;
}

export interface Stack {
  urls: { edge: string; sim: string; redisBridge: string; vector: string; redis: string };
  vars: Record<string, string>;
  stop(): Promise<void>;
}

type Stoppable = { stop(): Promise<void> };

async function portOrFree(port: number): Promise<number> {
  return port === 0 ? freePort() : port;
}

async function edgeHealthy(edgeUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${edgeUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export interface StandInOptions {
  /** 0 picks a free port (except redis, which is used when it answers). */
  ports: Omit<StackPorts, "edge">;
  vars: Record<string, string>;
  dataDir: string;
}

/** A stand-in that can be stopped and started again on the same port (to test fail-open mid-run). */
export interface RestartableStandIn {
  url: string;
  /** Stops it (no-op when stopped); the stack's own stop() stops it too. */
  stop(): Promise<void>;
  /** Starts it again on the same port (no-op when running). */
  start(): Promise<void>;
}

/** The stand-ins that are running, and the vars that point the Workers at them. */
export interface StandIns {
  urls: { sim: string; redisBridge: string; vector: string; redis: string };
  vars: Record<string, string>;
  /** The Redis bridge and the Vector server started here (absent when vars point at a real service). */
  restartable: { redisBridge?: RestartableStandIn; vector?: RestartableStandIn };
  stop(): Promise<void>;
}

type StartedServer = { url: string; port: number; close(): Promise<void> };

/** Starts a server once and wraps it so it can be stopped and restarted on the port it first got. */
async function startRestartable(start: (port: number) => Promise<StartedServer>, port: number): Promise<RestartableStandIn> {
  const first = await start(port);
  let running: StartedServer | undefined = first;
  return {
    url: first.url,
    stop: async () => {
      const server = running;
      running = undefined;
      await server?.close();
    },
    start: async () => {
      running ??= await start(first.port);
    },
  };
}

/**
 * Starts only the stand-ins (redis-server when none answers, the Redis REST bridge, the Vector server,
 * the simulated provider) and returns `vars` with their URLs filled in, ready for any Workers runtime
 * (wrangler dev here; the benchmark runs the built bundles on Miniflare). On failure stops what it started.
 */
export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const started: Stoppable[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => {});
  };
  try {
    const vars = { ...options.vars };
    const redis = await ensureRedis(options.ports.redis);
    started.push(redis);

    const restartable: StandIns["restartable"] = {};
    let redisBridgeUrl = vars.UPSTASH_REDIS_REST_URL ?? "";
    if (isLoopbackUrl(redisBridgeUrl)) {
      const token = vars.UPSTASH_REDIS_REST_TOKEN ?? "local-redis-token";
      const bridge = await startRestartable((port) => startRedisBridge({ port, token, redisUrl: redis.url }), await portOrFree(options.ports.redisBridge));
      started.push(bridge);
      restartable.redisBridge = bridge;
      redisBridgeUrl = bridge.url;
    }

    let vectorUrl = vars.UPSTASH_VECTOR_REST_URL ?? "";
    if (isLoopbackUrl(vectorUrl)) {
      const token = vars.UPSTASH_VECTOR_REST_TOKEN ?? "local-vector-token";
      const dataDir = join(options.dataDir, "vector");
      const vector = await startRestartable((port) => startVectorServer({ port, token, dataDir }), await portOrFree(options.ports.vector));
      started.push(vector);
      restartable.vector = vector;
      vectorUrl = vector.url;
      // Load the embedding model now, so the first cache lookup is not a fail-open timeout.
      await embed(["warm-up"]);
    }

    const sim = await startSimProvider({ port: await portOrFree(options.ports.sim) });
    started.push({ stop: () => sim.close() });

    Object.assign(vars, {
      UPSTASH_REDIS_REST_URL: redisBridgeUrl,
      UPSTASH_REDIS_REST_TOKEN: vars.UPSTASH_REDIS_REST_TOKEN ?? "local-redis-token",
      UPSTASH_VECTOR_REST_URL: vectorUrl,
      UPSTASH_VECTOR_REST_TOKEN: vars.UPSTASH_VECTOR_REST_TOKEN ?? "local-vector-token",
      SIM_PROVIDER_URL: sim.url,
    });
    return { urls: { sim: sim.url, redisBridge: redisBridgeUrl, vector: vectorUrl, redis: redis.url }, vars, restartable, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the whole stack and resolves once the edge's /health answers 200; on failure stops what it started. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const started: Stoppable[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => {});
  };
  try {
    const standIns = await startStandIns({ ports: options.ports, vars: options.vars, dataDir: options.dataDir });
    started.push(standIns);
    const vars = standIns.vars;

    const edgePort = await portOrFree(options.ports.edge);
    const wrangler = startWranglerDev({
      root: options.root,
      port: edgePort,
      vars,
      persistTo: join(options.dataDir, "wrangler"),
      output: options.wranglerOutput,
    });
    started.push(wrangler);
    const edgeUrl = `http://127.0.0.1:${edgePort}`;
    let wranglerExited = false;
    void wrangler.exited.then(() => (wranglerExited = true));
    await waitFor(
      async () => {
        if (wranglerExited) throw new Error("wrangler dev exited before the edge became healthy");
        return edgeHealthy(edgeUrl);
      },
      options.readyTimeoutMs ?? 60_000,
      `the edge Worker (${edgeUrl}/health)`,
      250,
    );
    return {
      urls: { edge: edgeUrl, ...standIns.urls },
      vars,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
