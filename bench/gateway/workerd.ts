// Our Workers on workerd the way production runs them: the bundles `npm run deploy:dry-run` builds
// (dist/<worker>/index.js), loaded into Miniflare directly, with no dev-server proxy or Miniflare
// router in front (the served Worker has a socket of its own). Each
// Worker's name, compatibility settings, service bindings, Durable Objects and secrets come from its
// own wrangler.toml. Also the "workerd floor" (a bare pass-through Worker on the same runtime) and the
// gateway alone behind a bare front Worker (no pipeline).
import { spawnSync } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type WorkerOptions } from "miniflare";
import { z } from "zod";
import { WORKER_CONFIGS } from "../../dev/workers";

/** The part of a wrangler config (as wrangler reads it) that Miniflare needs. */
const WranglerConfigSchema = z.object({
  name: z.string().min(1),
  compatibility_date: z.string(),
  compatibility_flags: z.array(z.string()),
  migrations: z.array(z.object({ new_sqlite_classes: z.array(z.string()).optional() })),
  secrets: z.object({ required: z.array(z.string()).optional() }).optional(),
  services: z.array(z.object({ binding: z.string(), service: z.string() })).optional(),
  durable_objects: z.object({ bindings: z.array(z.object({ name: z.string(), class_name: z.string() })) }),
});

export interface RunningWorkers {
  url: string;
  stop(): Promise<void>;
}

/** Shared Miniflare settings: loopback only, no Request.cf download, no request log, no telemetry. */
function sharedOptions(logPath: string): { log: WriteStream; options: ConstructorParameters<typeof Miniflare>[0] } {
  const log = createWriteStream(logPath, { flags: "a" });
  return {
    log,
    options: {
      host: "127.0.0.1",
      port: 0,
      cf: false,
      logRequests: false,
      telemetry: { enabled: false },
      // Worker console output goes to the log file, as wrangler dev's does in the old setup.
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        stdout.pipe(log, { end: false });
        stderr.pipe(log, { end: false });
      },
    },
  };
}

/** Builds every Worker's bundle into dist/<worker>/ with `wrangler deploy --dry-run` (what CI validates). */
export function buildBundles(root: string): void {
  const result = spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "dev", "deploy.ts"), "--dry-run"], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm run deploy:dry-run failed:\n${(result.stdout + result.stderr).slice(-2_000)}`);
}

/** The dist folder of a config, as dev/deploy.ts names it ("edge" for the root wrangler.toml). */
function distName(config: string): string {
  return config === "wrangler.toml" ? "edge" : basename(dirname(config));
}

/**
 * Miniflare options for every Worker from its wrangler.toml (read by wrangler itself), running the
 * built bundle. Each Worker gets only the secrets its config lists, from `vars`. The edge comes first:
 * Miniflare serves the first Worker.
 */
export async function workerOptionsFromConfigs(root: string, vars: Record<string, string>): Promise<WorkerOptions[]> {
  process.env.WRANGLER_LOG ??= "error";
  const { unstable_readConfig } = await import("wrangler");
  const configs = [...WORKER_CONFIGS].sort((a, b) => Number(b === "wrangler.toml") - Number(a === "wrangler.toml"));
  return configs.map((config): WorkerOptions => {
    const parsed = WranglerConfigSchema.parse(unstable_readConfig({ config: join(root, config) }) as unknown);
    const name = parsed.name;
    const dist = join(root, "dist", distName(config));
    const sqliteClasses = new Set(parsed.migrations.flatMap((migration) => migration.new_sqlite_classes ?? []));
    const secrets = parsed.secrets?.required ?? [];
    return {
      name,
      modules: true,
      scriptPath: join(dist, "index.js"),
      modulesRoot: dist,
      compatibilityDate: parsed.compatibility_date,
      compatibilityFlags: parsed.compatibility_flags,
      bindings: Object.fromEntries(secrets.flatMap((secret) => (vars[secret] === undefined ? [] : [[secret, vars[secret]]]))),
      serviceBindings: Object.fromEntries((parsed.services ?? []).map((service) => [service.binding, service.service])),
      durableObjects: Object.fromEntries(
        parsed.durable_objects.bindings.map((binding) => [binding.name, { className: binding.class_name, useSQLite: sqliteClasses.has(binding.class_name) }]),
      ),
    };
  });
}

/**
 * Starts `workers` in one Miniflare and serves the first on a socket of its own. Miniflare's own
 * socket goes through its router Worker (request.cf, dev error pages, one more Worker invocation per
 * request), which production does not have: through it a pass-through Worker adds about 0.75 ms more
 * at c1 and halves its throughput at c32, so every Worker peer is served directly.
 */
async function start(options: ConstructorParameters<typeof Miniflare>[0], workers: WorkerOptions[], log: WriteStream): Promise<RunningWorkers> {
  const [served, ...rest] = workers;
  if (!served?.name) throw new Error("the served Worker needs a name");
  const miniflare = new Miniflare({ ...options, workers: [{ ...served, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] }, ...rest] });
  const stop = async () => {
    await miniflare.dispose().catch(() => {});
    log.end();
  };
  try {
    await miniflare.ready;
    const url = await miniflare.unsafeGetDirectURL(served.name);
    return { url: url.origin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs our five Workers (built bundles) in one Miniflare; the edge answers at the returned URL. */
export async function startOurWorkers(root: string, vars: Record<string, string>, logPath: string): Promise<RunningWorkers> {
  const { log, options } = sharedOptions(logPath);
  return start(options, await workerOptionsFromConfigs(root, vars), log);
}

/** A bare front Worker for the gateway alone: body → `GATEWAY.chat` over RPC → JSON or SSE, no pipeline. */
const GATEWAY_FRONT_SCRIPT = `
export default {
  async fetch(request, env) {
    const body = await request.json();
    const result = await env.GATEWAY.chat({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }, { request: body, tenant: "bench" });
    if (!result.ok) return Response.json(result.error, { status: result.status });
    if ("stream" in result) return new Response(result.stream, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
    return Response.json(result.completion);
  },
};`;

/**
 * The second half of the RPC floor: a Worker whose RPC `chat` forwards the request to the upstream
 * and hands back its JSON or its SSE body as it is (no retries, no mapping, no commit to a first token).
 */
const RPC_PASS_THROUGH_SCRIPT = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async chat(context, input) {
    const response = await fetch(this.env.UPSTREAM_ORIGIN + "/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-bench-direct" },
      body: JSON.stringify({ ...input.request, model: "sim-primary" }),
    });
    if (input.request.stream) return { ok: true, stream: response.body };
    return { ok: true, completion: await response.json() };
  }
}`;

/**
 * The floor of our architecture: the bare front Worker calling a pass-through Worker over a service
 * binding's JS RPC (two Worker invocations and one RPC hop, no code of ours), in its own Miniflare.
 */
export async function startRpcFloor(upstreamOrigin: string, logPath: string): Promise<RunningWorkers> {
  const { log, options } = sharedOptions(logPath);
  const front: WorkerOptions = { name: "rpc-floor-front", modules: true, script: GATEWAY_FRONT_SCRIPT, compatibilityDate: "2026-04-20", serviceBindings: { GATEWAY: "rpc-floor-upstream" } };
  const passThrough: WorkerOptions = { name: "rpc-floor-upstream", modules: true, script: RPC_PASS_THROUGH_SCRIPT, compatibilityDate: "2026-04-20", bindings: { UPSTREAM_ORIGIN: upstreamOrigin } };
  return start(options, [front, passThrough], log);
}

/**
 * Our gateway Worker alone (its built bundle) behind a bare front Worker, in its own Miniflare: the
 * edge → gateway RPC path without the edge's pipeline (guardrails, cache), to tell the two apart.
 */
export async function startGatewayOnly(root: string, vars: Record<string, string>, logPath: string): Promise<RunningWorkers> {
  return startGatewayFront(root, vars, logPath, { name: "bench-gateway-front", script: GATEWAY_FRONT_SCRIPT });
}

/** A front Worker (a module script with a GATEWAY service binding) and our gateway Worker alone, in their own Miniflare. */
export async function startGatewayFront(root: string, vars: Record<string, string>, logPath: string, front: { name: string; script: string }): Promise<RunningWorkers> {
  const { log, options } = sharedOptions(logPath);
  const gateway = (await workerOptionsFromConfigs(root, vars)).find((worker) => worker.name === "llm-gateway");
  if (!gateway) throw new Error("no llm-gateway in the Worker configs");
  const worker: WorkerOptions = { name: front.name, modules: true, script: front.script, compatibilityDate: "2026-04-20", serviceBindings: { GATEWAY: "llm-gateway" } };
  return start(options, [worker, gateway], log);
}

/** The floor Worker: forwards the request to the upstream origin and streams the answer back, nothing else. */
const FLOOR_SCRIPT = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const upstream = await fetch(env.UPSTREAM_ORIGIN + url.pathname + url.search, request);
    return new Response(upstream.body, upstream);
  },
};`;

/**
 * The runtime floor: a pass-through Worker on the same Miniflare/workerd as ours, in its own
 * process. What it adds over calling `upstreamOrigin` directly no Worker code can avoid on this machine.
 */
export async function startFloorWorker(upstreamOrigin: string, logPath: string): Promise<RunningWorkers> {
  const { log, options } = sharedOptions(logPath);
  return start(options, [{ name: "workerd-floor", modules: true, script: FLOOR_SCRIPT, compatibilityDate: "2026-04-20", bindings: { UPSTREAM_ORIGIN: upstreamOrigin } }], log);
}
