// A quick look at our Worker peers of the gateway benchmark alone (no Portkey, no concurrency run, no
// reliability runs): sequential chats and streams, interleaved across peers, added p50 over direct at
// concurrency 1 and for time to first token, and the whole stream. Meant for comparing two checkouts
// of a change to the request path: run it in each, alternately, a few times (the machine is noisy).
// Run: `npx tsx bench/worker-peers.bench.ts` (or `npm run bench -- worker-peers`); about 2 minutes.
import { BENCH_PLAIN_API_KEY, startBenchStack } from "./gateway/stack";
import { runInterleaved, timeChat, timeStream, type ChatEndpoint, type TimedCall } from "./gateway/load";
import { fixed, formatTable, percentile } from "./support/stats";

const ROUNDS = 8;
const PER_PEER = 400;
const WARMUP = 300;
const DEADLINE_MS = 120_000;

const stack = await startBenchStack();
try {
  if (!stack.edge.ok || !stack.floor.ok || !stack.rpcFloor.ok || !stack.gatewayOnly.ok) throw new Error("our Workers did not start");
  const peers: ChatEndpoint[] = [
    { name: "direct", url: `${stack.simUrl}/v1/chat/completions`, headers: { authorization: "Bearer sk-bench-direct" }, model: "sim-primary" },
    { name: "workerd floor", url: `${stack.floor.value}/v1/chat/completions`, headers: { authorization: "Bearer sk-bench-direct" }, model: "sim-primary" },
    { name: "workerd floor, 2 Workers + RPC", url: `${stack.rpcFloor.value}/v1/chat/completions`, headers: {}, model: "sim-primary" },
    { name: "ours: gateway only", url: `${stack.gatewayOnly.value}/v1/chat/completions`, headers: {}, model: "default" },
    { name: "ours, no guardrails", url: `${stack.edge.value.url}/v1/chat/completions`, headers: { authorization: `Bearer ${BENCH_PLAIN_API_KEY}` }, model: "default" },
    { name: "ours", url: `${stack.edge.value.url}/v1/chat/completions`, headers: { authorization: `Bearer ${stack.edge.value.apiKey}` }, model: "default" },
  ];
  const byName = new Map(peers.map((peer) => [peer.name, peer]));
  const names = peers.map((peer) => peer.name);
  // Request numbers never repeat and have seven digits, like the gateway benchmark's.
  let base = 1_000_000;
  const both = async (peer: ChatEndpoint, index: number): Promise<TimedCall[]> => [await timeChat(peer, base + 2 * index), await timeStream(peer, base + 2 * index + 1)];
  for (const peer of peers) for (let index = 0; index < WARMUP; index++) await both(peer, index);
  base += 1_000_000;
  const calls: Record<string, TimedCall[][]> = Object.fromEntries(names.map((name) => [name, []]));
  await runInterleaved(names, PER_PEER, ROUNDS, async (name, index) => {
    const pair = await both(byName.get(name)!, index);
    calls[name]!.push(pair);
    return pair[1]!;
  }, DEADLINE_MS);

  const p50 = (name: string, pick: (pair: TimedCall[]) => number | undefined) =>
    percentile(calls[name]!.flatMap((pair) => (pair.every((call) => call.ok) ? [pick(pair) ?? Number.NaN] : [])), 50);
  const figures = [(pair: TimedCall[]) => pair[0]!.latencyMs, (pair: TimedCall[]) => pair[1]!.ttftMs, (pair: TimedCall[]) => pair[1]!.latencyMs];
  const direct = figures.map((pick) => p50("direct", pick));
  const rows = names.map((name) => [name, ...figures.map((pick, at) => fixed(p50(name, pick) - direct[at]!)), String(calls[name]!.filter((pair) => !pair.every((call) => call.ok)).length)]);
  console.log(`\nConcurrency 1, ${PER_PEER} chats and ${PER_PEER} streams per peer, interleaved: added p50 over direct (ms)`);
  console.log(formatTable(["peer", "chat", "TTFT", "whole stream", "failed"], rows));
} finally {
  await stack.stop();
}
