// The fan-out coordinator's wall time. Simulated branches take 500 ms each (a simulator latency
// fault); every job goes through the edge (POST /v1/jobs, then its SSE events until the job ends) on
// our Workers on workerd. Peers side by side: one branch; 10 branches `all` at the concurrency bound
// of 6 (waves), spread over child coordinators, and one after another (concurrency 1); `first` with
// one fast branch vs a job of that fast branch alone (15 runs each, alternating); 50 branches in
// waves and spread, beside a plain Promise.all of the same gateway calls in one Worker (no
// coordinator, no durability: the lower bound).
// Run: `npx tsx bench/fanout.bench.ts` (or `npm run bench fanout`).
import { fileURLToPath } from "node:url";
import { readSseEvents } from "../shared/sse";
import { FANOUT_BENCH_KEY, startFanoutBenchStack, type FanoutBenchStack } from "./fanout-stack";
import { fixed, formatTable, percentile } from "./support/stats";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SLOW_MS = 500;
const FAST_MS = 50;
const headers = { authorization: `Bearer ${FANOUT_BENCH_KEY}`, "content-type": "application/json" };
let run = 0;

const prompts = (n: number) => {
  run += 1;
  return Array.from({ length: n }, (_, i) => `Benchmark run ${run}, branch ${i + 1}: say something`);
};
const branches = (model: string, n: number) => prompts(n).map((content) => ({ model, messages: [{ role: "user", content }] }));

async function setLatency(stack: FanoutBenchStack, model: string, latencyMs: number): Promise<void> {
  const response = await fetch(`${stack.simUrl}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, latencyMs }) });
  if (!response.ok) throw new Error(`simulator fault: ${response.status}`);
}

/** One job through the edge, timed from POST until its event stream ends; throws unless it succeeded. */
async function timeJob(stack: FanoutBenchStack, spec: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const created = await fetch(`${stack.edgeUrl}/v1/jobs`, { method: "POST", headers, body: JSON.stringify(spec) });
  if (created.status !== 202) throw new Error(`POST /v1/jobs: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const events = await fetch(`${stack.edgeUrl}/v1/jobs/${id}/events`, { headers });
  let last = "";
  for await (const event of readSseEvents(events.body!)) last = event.event ?? last;
  const ms = performance.now() - started;
  if (last !== "job.succeeded") throw new Error(`job ${id} ended with ${last}`);
  return ms;
}

/** N gateway calls with one Promise.all in a plain Worker, timed from the request to its answer. */
async function timePromiseAll(stack: FanoutBenchStack, n: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(stack.promiseAllUrl, { method: "POST", body: JSON.stringify({ model: "bench-slow", prompts: prompts(n) }) });
  const { ok } = (await response.json()) as { ok: number };
  const ms = performance.now() - started;
  if (ok !== n) throw new Error(`Promise.all: ${ok} of ${n} calls answered`);
  return ms;
}

interface Row {
  name: string;
  samples: number[];
}

async function measure(name: string, runs: number, once: () => Promise<number>): Promise<Row> {
  await once(); // warm-up (isolates, Durable Object namespace, connections)
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) samples.push(await once());
  return { name, samples };
}

/** Peers whose ratio is a target, run alternately (a, b, a, b, …) so drift on a noisy machine hits both alike. */
async function measureAlternately(runs: number, peers: Array<{ name: string; once: () => Promise<number> }>): Promise<Row[]> {
  for (const peer of peers) await peer.once(); // warm-up
  const rows = peers.map((peer) => ({ name: peer.name, samples: [] as number[] }));
  for (let i = 0; i < runs; i += 1) for (const [index, peer] of peers.entries()) rows[index]!.samples.push(await peer.once());
  return rows;
}

async function main(): Promise<void> {
  const stack = await startFanoutBenchStack(ROOT);
  try {
    await setLatency(stack, "bench-slow", SLOW_MS);
    await setLatency(stack, "bench-fast", FAST_MS);
    const fanout = (list: unknown[], extra: Record<string, unknown> = {}) => ({ kind: "fanout", branches: list, ...extra });
    const firstSpec = () => {
      const list = branches("bench-slow", 10);
      list[4] = branches("bench-fast", 1)[0]!; // within the first wave of 6
      return fanout(list, { strategy: "first" });
    };
    const rows = [
      await measure("one branch (500 ms)", 5, () => timeJob(stack, fanout(branches("bench-slow", 1)))),
      await measure("all ×10, waves of 6", 5, () => timeJob(stack, fanout(branches("bench-slow", 10)))),
      await measure("all ×10, spread over children", 5, () => timeJob(stack, fanout(branches("bench-slow", 10), { spread: "children" }))),
      await measure("all ×10, one after another", 1, () => timeJob(stack, fanout(branches("bench-slow", 10), { limits: { concurrency: 1 } }))),
      await measure("Promise.all ×10 in a Worker", 5, () => timePromiseAll(stack, 10)),
      ...(await measureAlternately(15, [
        { name: "fastest alone (one 50 ms branch)", once: () => timeJob(stack, fanout(branches("bench-fast", 1))) },
        { name: "first ×10 (one 50 ms branch)", once: () => timeJob(stack, firstSpec()) },
      ])),
      await measure("all ×50, waves of 6", 2, () => timeJob(stack, fanout(branches("bench-slow", 50), { limits: { maxTasks: 60 } }))),
      await measure("all ×50, spread over children", 5, () => timeJob(stack, fanout(branches("bench-slow", 50), { spread: "children", limits: { maxTasks: 60 } }))),
      await measure("Promise.all ×50 in a Worker", 5, () => timePromiseAll(stack, 50)),
    ];
    const p50 = (name: string) => percentile(rows.find((row) => row.name.startsWith(name))!.samples, 50);
    console.log(`\nFan-out wall time through the edge (our Workers on workerd), ${SLOW_MS} ms per simulated branch:\n`);
    console.log(formatTable(["peer", "runs", "p50 ms", "min ms", "max ms"], rows.map((row) => [row.name, String(row.samples.length), fixed(percentile(row.samples, 50), 0), fixed(Math.min(...row.samples), 0), fixed(Math.max(...row.samples), 0)])));
    const one = p50("one branch");
    const ratios: Array<[string, number, string]> = [
      ["all ×10 spread / one branch", p50("all ×10, spread") / one, "target ≤ 1.3"],
      ["all ×10 waves / one branch", p50("all ×10, waves") / one, "two waves at the bound of 6"],
      ["one after another / all ×10 spread", p50("all ×10, one after") / p50("all ×10, spread"), "reduction"],
      ["one after another / all ×10 waves", p50("all ×10, one after") / p50("all ×10, waves"), "reduction"],
      ["first ×10 / fastest alone", p50("first ×10") / p50("fastest alone"), "target ≤ 1.1"],
      ["all ×10 spread / Promise.all ×10", p50("all ×10, spread") / p50("Promise.all ×10"), "vs the lower bound"],
      ["all ×50 spread / Promise.all ×50", p50("all ×50, spread") / p50("Promise.all ×50"), "vs the lower bound"],
      ["all ×50 waves / Promise.all ×50", p50("all ×50, waves") / p50("Promise.all ×50"), "vs the lower bound"],
    ];
    console.log(`\n${formatTable(["ratio (p50)", "value", "note"], ratios.map(([name, value, note]) => [name, `${fixed(value)}×`, note]))}`);
    const overhead = (name: string) => (p50(name) - p50("Promise.all ×50")) / 50;
    console.log(`\nCoordinator overhead per branch at 50 branches (job p50 − Promise.all p50) / 50: spread ${fixed(overhead("all ×50, spread"), 1)} ms, waves ${fixed(overhead("all ×50, waves"), 1)} ms (waves include ${Math.ceil(50 / 6) - 1} extra ${SLOW_MS} ms rounds).`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
