// Gateway benchmark, peers side by side on one simulator with the same requests, interleaved:
// direct to the simulator; the "workerd floor" (a pass-through Worker on the same runtime as ours);
// the same with two Workers and one RPC hop (a bare front Worker → a pass-through Worker, the shape of
// our edge → gateway with no code of ours); our gateway Worker alone behind that front Worker; ours
// (the edge with its pipeline → guardrail, cache and gateway Workers: the built bundles on workerd via
// Miniflare, as production runs them); ours for a tenant whose guardrails are off (Portkey's feature
// set: the pipeline calls only the gateway); ours under `wrangler dev` (with its proxy Worker, an extra
// row); Portkey's gateway 1.15.2 on Node. Added latency (c1, c32), throughput, TTFT overhead, ours as
// layers above the floor, ratios ours/Portkey, then reliability runs. Run: `npx tsx bench/gateway.bench.ts`
// (BENCH_SKIP_WRANGLER=1 leaves out the wrangler dev row); `run()` returns the figures. All on
// 127.0.0.1. Results: docs/benchmarks.md.
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { DIRECT, measureLatency, DEFAULT_LATENCY_PLAN, type PeerLatency } from "./gateway/latency";
import type { ChatEndpoint } from "./gateway/load";
import { portkeyFallbackHeaders, portkeyHeaders, startPortkey } from "./gateway/portkey";
import { runHardDown, runTransientErrors, waitForPrimary, type HardDownFigures, type TransientFigures } from "./gateway/reliability";
import { FLOOR, GATEWAY_ONLY, OURS, OURS_PLAIN, OURS_WRANGLER, PORTKEY, RPC_FLOOR, addedLatency, checkTargets, printLatency, printReliability, type AddedLatency, type TargetCheck } from "./gateway/report";
import { BENCH_PLAIN_API_KEY, startBenchStack } from "./gateway/stack";
import { pidListeningOn } from "./support/process-cpu";

export interface GatewayBenchResult {
  latency: PeerLatency[];
  added: AddedLatency[];
  targets: TargetCheck[];
  transient: TransientFigures[];
  hardDown?: HardDownFigures;
  /** Why a peer could not be measured (our edge before the gateway lands, Portkey failing to start). */
  unavailable: Record<string, string>;
}

/** Stops for whatever is running, newest first; the watchdog below uses them too. */
const running: Array<() => Promise<void>> = [];

async function stopAll(): Promise<void> {
  while (running.length > 0) await running.pop()!().catch((error: unknown) => console.error(`stopping failed: ${(error as Error).message}`));
}

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Runs the whole benchmark and returns its figures (printing progress and tables as it goes). */
export async function run(): Promise<GatewayBenchResult> {
  const unavailable: Record<string, string> = {};
  try {
    log("starting the stand-ins, building the bundles, starting our Workers and the floor Worker on Miniflare…");
    const stack = await startBenchStack();
    running.push(stack.stop);
    if (!stack.edge.ok) unavailable[OURS] = stack.edge.reason;
    if (!stack.floor.ok) unavailable[FLOOR] = stack.floor.reason;
    if (!stack.rpcFloor.ok) unavailable[RPC_FLOOR] = stack.rpcFloor.reason;
    if (!stack.gatewayOnly.ok) unavailable[GATEWAY_ONLY] = stack.gatewayOnly.reason;

    log("starting Portkey's gateway…");
    const portkey = await startPortkey().catch((error: unknown) => {
      unavailable[PORTKEY] = (error as Error).message;
      return undefined;
    });
    if (portkey) running.push(portkey.stop);

    // The old way of running ours, kept as an extra row: `wrangler dev` puts a proxy Worker in front.
    const skipWrangler = process.env.BENCH_SKIP_WRANGLER === "1";
    if (!skipWrangler) log("starting our Workers under wrangler dev as well (extra row)…");
    const wrangler = skipWrangler ? undefined : await stack.startWranglerDev();
    if (wrangler?.ok) running.push(wrangler.value.stop);
    else if (wrangler) console.log(`\n(extra row "${OURS_WRANGLER}" not measured: ${wrangler.reason})`);

    const simV1 = `${stack.simUrl}/v1`;
    const ourEndpoint = (name: string, url: string, apiKey: string): ChatEndpoint => ({ name, url: `${url}/v1/chat/completions`, headers: { authorization: `Bearer ${apiKey}` }, model: "default" });
    // Miniflare serves from its workerd process; under wrangler dev the port is the proxy's, not ours.
    const servedBy = (url: string) => ({ serverPid: pidListeningOn(Number(new URL(url).port)) });
    const direct: ChatEndpoint = { name: DIRECT, url: `${simV1}/chat/completions`, headers: { authorization: "Bearer sk-bench-direct" }, model: "sim-primary" };
    const floor: ChatEndpoint | undefined = stack.floor.ok
      ? { name: FLOOR, url: `${stack.floor.value}/v1/chat/completions`, headers: { authorization: "Bearer sk-bench-direct" }, model: "sim-primary", ...servedBy(stack.floor.value) }
      : undefined;
    const rpcFloor: ChatEndpoint | undefined = stack.rpcFloor.ok
      ? { name: RPC_FLOOR, url: `${stack.rpcFloor.value}/v1/chat/completions`, headers: {}, model: "sim-primary", ...servedBy(stack.rpcFloor.value) }
      : undefined;
    const gatewayOnly: ChatEndpoint | undefined = stack.gatewayOnly.ok
      ? { name: GATEWAY_ONLY, url: `${stack.gatewayOnly.value}/v1/chat/completions`, headers: {}, model: "default", ...servedBy(stack.gatewayOnly.value) }
      : undefined;
    const ours = stack.edge.ok ? { ...ourEndpoint(OURS, stack.edge.value.url, stack.edge.value.apiKey), ...servedBy(stack.edge.value.url) } : undefined;
    const oursPlain = stack.edge.ok ? { ...ourEndpoint(OURS_PLAIN, stack.edge.value.url, BENCH_PLAIN_API_KEY), ...servedBy(stack.edge.value.url) } : undefined;
    const oursWrangler = wrangler?.ok ? ourEndpoint(OURS_WRANGLER, wrangler.value.url, wrangler.value.apiKey) : undefined;
    const portkeyPeer: ChatEndpoint | undefined = portkey
      ? { name: PORTKEY, url: `${portkey.url}/v1/chat/completions`, headers: portkeyHeaders(simV1), model: "sim-primary", ...(portkey.pid !== undefined ? { serverPid: portkey.pid } : {}) }
      : undefined;
    const endpoints = [direct, floor, rpcFloor, gatewayOnly, ours, oursPlain, oursWrangler, portkeyPeer].filter((endpoint): endpoint is ChatEndpoint => endpoint !== undefined);
    for (const [peer, reason] of Object.entries(unavailable)) console.log(`\n!! ${peer} is not measured: ${reason}\n`);

    log(`latency runs: ${endpoints.map((endpoint) => endpoint.name).join(", ")}…`);
    const latency = await measureLatency(endpoints);
    const added = addedLatency(latency);
    const targets = checkTargets(latency, added);
    printLatency(latency, added, targets, DEFAULT_LATENCY_PLAN.concurrency);
    // wrangler dev is only an extra latency row: stop it so it does not share the machine any longer.
    if (wrangler?.ok) await wrangler.value.stop();

    const transient: TransientFigures[] = [];
    let hardDown: HardDownFigures | undefined;
    // Breakers are per target and shared by routes, so each run starts once sim-primary serves again.
    const primaryBack = async () => {
      if (ours && !(await waitForPrimary(ours, "sim-primary"))) console.log("!! sim-primary's breaker did not close within 40 s");
    };
    if (ours) {
      log("reliability (i), ours, alias sim-primary (retries only): 1,000 requests with transient 503s…");
      transient.push(await runTransientErrors(stack.simUrl, { ...ours, name: `${OURS} (sim-primary only: retries)`, model: "sim-primary" }));
      await primaryBack();
      log("reliability (i), ours, alias default (sim-primary → sim-secondary)…");
      transient.push(await runTransientErrors(stack.simUrl, { ...ours, name: `${OURS} (default: fallback chain)` }));
    }
    if (portkey) {
      log("reliability (i), Portkey with its fallback strategy (sim-primary → sim-secondary)…");
      const fallback: ChatEndpoint = { name: `${PORTKEY} (fallback config)`, url: `${portkey.url}/v1/chat/completions`, headers: portkeyFallbackHeaders(simV1, ["sim-primary", "sim-secondary"]), model: "sim-primary" };
      transient.push(await runTransientErrors(stack.simUrl, fallback));
    }
    if (ours) {
      await primaryBack();
      log("reliability (ii), ours: sim-primary hard down…");
      hardDown = await runHardDown(stack.simUrl, ours, "sim-secondary");
      // The breaker state lives in the shared Redis: leave sim-primary's breaker closed for whoever comes next.
      await primaryBack();
    }
    printReliability(transient, hardDown);
    return { latency, added, targets, transient, ...(hardDown ? { hardDown } : {}), unavailable };
  } finally {
    await stopAll();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  setTimeout(() => {
    console.error("\ngateway bench: still running after 6 minutes; stopping everything.");
    void stopAll().finally(() => process.exit(2));
  }, 360_000);
  console.log(`Gateway benchmark on ${availableParallelism()} CPUs, Node ${process.version}; everything on 127.0.0.1.`);
  try {
    const result = await run();
    console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const missing = Object.entries(result.unavailable);
    for (const [peer, reason] of missing) console.error(`\nFAILED: peer "${peer}" could not be measured: ${reason}`);
    process.exit(missing.length === 0 ? 0 : 1);
  } catch (error) {
    console.error(`\ngateway bench failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
}
