// Where a sequential (concurrency 1) request's added time goes, per Worker peer of the gateway
// benchmark: before the upstream call (client sends → upstream receives) and after it (upstream
// answers → client has the whole body). The upstream is a minimal HTTP server in this process, so
// both ends are read on one clock; each peer's figures minus direct's are what it adds on each side.
// Run: `npx tsx bench/gateway-split.bench.ts` (or `npm run bench -- split`); about a minute.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { BENCH_API_KEY, BENCH_PLAIN_API_KEY, BENCH_PLATFORM_CONFIG } from "./gateway/stack";
import { buildBundles, startFloorWorker, startGatewayOnly, startOurWorkers, type RunningWorkers } from "./gateway/workerd";
import { chatBody } from "./gateway/load";
import { startBenchStandIns } from "./support/stand-ins";
import { fixed, formatTable, percentile } from "./support/stats";

const ROUNDS = 8;
const REQUESTS_PER_ROUND = 150;
const ANSWER = JSON.stringify({
  id: "chatcmpl-split",
  object: "chat.completion",
  created: 1,
  model: "sim-primary",
  choices: [{ index: 0, message: { role: "assistant", content: "A gateway retries with jitter so that its clients do not retry in lockstep." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 20, completion_tokens: 16, total_tokens: 36 },
});

interface Peer {
  name: string;
  url: string;
  headers: Record<string, string>;
  model: string;
}

const root = fileURLToPath(new URL("..", import.meta.url));
const upstreamTimes = { received: 0, answered: 0 };
const upstream = createServer((request, response) => {
  upstreamTimes.received = performance.now();
  request.resume();
  request.on("end", () => {
    upstreamTimes.answered = performance.now();
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(ANSWER) });
    response.end(ANSWER);
  });
});
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

const { standIns, dataDir, stops, stop } = await startBenchStandIns(root, {
  name: "bench-split",
  apiKeys: `${BENCH_API_KEY}=bench,${BENCH_PLAIN_API_KEY}=bench-plain`,
  platformConfig: BENCH_PLATFORM_CONFIG,
});
try {
  buildBundles(root);
  const vars = { ...standIns.vars, SIM_PROVIDER_URL: upstreamUrl };
  const started = async (run: Promise<RunningWorkers>) => {
    const workers = await run;
    stops.push(workers.stop);
    return workers.url;
  };
  const floor = await started(startFloorWorker(upstreamUrl, `${dataDir}/floor.log`));
  const gatewayOnly = await started(startGatewayOnly(root, vars, `${dataDir}/gateway-only.log`));
  const ours = await started(startOurWorkers(root, vars, `${dataDir}/ours.log`));
  const peers: Peer[] = [
    { name: "direct", url: upstreamUrl, headers: {}, model: "sim-primary" },
    { name: "workerd floor", url: floor, headers: {}, model: "sim-primary" },
    { name: "ours: gateway only", url: gatewayOnly, headers: {}, model: "default" },
    { name: "ours, no guardrails", url: ours, headers: { authorization: `Bearer ${BENCH_PLAIN_API_KEY}` }, model: "default" },
    { name: "ours", url: ours, headers: { authorization: `Bearer ${BENCH_API_KEY}` }, model: "default" },
  ];
  const figures = new Map(peers.map((peer) => [peer.name, { before: [] as number[], after: [] as number[] }]));
  // Round 0 warms every peer up and is not counted; rounds interleave the peers.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const peer of peers) {
      for (let index = 0; index < REQUESTS_PER_ROUND; index++) {
        const sent = performance.now();
        const response = await fetch(`${peer.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...peer.headers }, body: chatBody(peer.model, index, false) });
        const text = await response.text();
        const done = performance.now();
        if (response.status !== 200) throw new Error(`${peer.name} answered ${response.status}: ${text.slice(0, 200)}`);
        if (round === 0) continue;
        figures.get(peer.name)!.before.push(upstreamTimes.received - sent);
        figures.get(peer.name)!.after.push(done - upstreamTimes.answered);
      }
    }
  }
  const p50 = (name: string, side: "before" | "after") => percentile(figures.get(name)![side], 50);
  const rows = peers.map(({ name }) => [name, fixed(p50(name, "before"), 3), fixed(p50(name, "after"), 3), fixed(p50(name, "before") - p50("direct", "before"), 3), fixed(p50(name, "after") - p50("direct", "after"), 3)]);
  console.log(`\nConcurrency 1, ${ROUNDS} × ${REQUESTS_PER_ROUND} requests per peer: p50 ms before the upstream call and after it, and added over direct`);
  console.log(formatTable(["peer", "before", "after", "+before", "+after"], rows));
} finally {
  await stop();
  upstream.close();
}
