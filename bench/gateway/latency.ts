// The latency part of the gateway benchmark: the same requests to every peer, interleaved, at
// concurrency 1 and 32 (non-stream), and streams at concurrency 1 for time to first token. Figures
// per peer are absolute; "added" figures subtract the direct-to-simulator peer.
import { processCpuMs } from "../support/process-cpu";
import { summarize, type LatencySummary } from "../support/stats";
import { mergeSample, runConcurrent, runInterleaved, timeChat, timeStream, type ChatEndpoint, type Sample, type TimedCall } from "./load";

export const DIRECT = "direct";

export interface LatencyPlan {
  sequentialPerPeer: number;
  streamsPerPeer: number;
  concurrentPerPeer: number;
  concurrency: number;
  /** Interleaved rounds of the sequential runs, and of the concurrent run (longer bursts, less ramp-up). */
  rounds: number;
  concurrentRounds: number;
  /**
   * Warm-up per peer before anything is measured: this many chat requests and as many streams, then
   * ten rounds' worth at the plan's concurrency. workerd's V8 needs a few hundred requests before the
   * hot path is optimised (with 50 our added p50 read ~0.5 ms higher), and every peer gets the same.
   */
  warmupPerPeer: number;
  /** Upper bound for each of the three runs. */
  runDeadlineMs: number;
}

export const DEFAULT_LATENCY_PLAN: LatencyPlan = {
  sequentialPerPeer: 400,
  streamsPerPeer: 300,
  concurrentPerPeer: 2_000,
  concurrency: 32,
  rounds: 8,
  concurrentRounds: 4,
  warmupPerPeer: 300,
  runDeadlineMs: 60_000,
};

export interface PeerLatency {
  peer: string;
  sequential: LatencySummary;
  concurrent: LatencySummary;
  /** Completed requests per second at the plan's concurrency. */
  throughput: number;
  /** CPU ms the serving process used per completed request at the plan's concurrency (NaN when not measurable). */
  serverCpuMsPerRequest: number;
  ttft: LatencySummary;
  failures: number;
  /** Failure counts by status (0 = network/timeout), with one example message each. */
  failureExamples: Record<string, string>;
  /** Values of x-gateway-cache seen, with counts (our edge only; empty for the others). */
  cacheHeader: Record<string, number>;
}

function okLatencies(sample: Sample, pick: (call: TimedCall) => number | undefined = (call) => call.latencyMs): number[] {
  return sample.calls.filter((call) => call.ok).flatMap((call) => {
    const value = pick(call);
    return value === undefined ? [] : [value];
  });
}

function failureExamples(samples: Sample[]): Record<string, string> {
  const examples: Record<string, string> = {};
  for (const call of samples.flatMap((sample) => sample.calls)) {
    if (!call.ok) examples[String(call.status)] ??= call.error ?? "";
  }
  return examples;
}

function cacheHeaderCounts(samples: Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of samples.flatMap((sample) => sample.calls)) {
    const value = call.headers?.get("x-gateway-cache");
    if (value) counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/** Runs the three latency runs over `endpoints` (the first should be the direct peer) and returns figures per peer. */
export async function measureLatency(endpoints: readonly ChatEndpoint[], plan: LatencyPlan = DEFAULT_LATENCY_PLAN): Promise<PeerLatency[]> {
  const names = endpoints.map((endpoint) => endpoint.name);
  const byName = new Map(endpoints.map((endpoint) => [endpoint.name, endpoint]));
  const endpoint = (name: string): ChatEndpoint => byName.get(name)!;
  // Request indexes never repeat across runs, so no peer can answer a repeat from a cache.
  let indexBase = 1_000_000;

  for (const name of names) {
    await runConcurrent(plan.warmupPerPeer, 1, (index) => timeChat(endpoint(name), index), plan.runDeadlineMs, indexBase);
    await runConcurrent(plan.warmupPerPeer, 1, (index) => timeStream(endpoint(name), index), plan.runDeadlineMs, indexBase + plan.warmupPerPeer);
    await runConcurrent(plan.concurrency * 10, plan.concurrency, (index) => timeChat(endpoint(name), index), plan.runDeadlineMs, indexBase + 2 * plan.warmupPerPeer);
    indexBase += 1_000_000;
  }

  const sequential = await runInterleaved(names, plan.sequentialPerPeer, plan.rounds, (name, index) => timeChat(endpoint(name), indexBase + index), plan.runDeadlineMs);
  indexBase += 1_000_000;
  const streams = await runInterleaved(names, plan.streamsPerPeer, plan.rounds, (name, index) => timeStream(endpoint(name), indexBase + index), plan.runDeadlineMs);
  indexBase += 1_000_000;

  const concurrent: Record<string, Sample> = Object.fromEntries(names.map((name) => [name, { calls: [], wallMs: 0 }]));
  const serverCpuMs: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  const cpuNow = (name: string): number => {
    const pid = endpoint(name).serverPid;
    return pid === undefined ? Number.NaN : (processCpuMs(pid) ?? Number.NaN);
  };
  const perRound = Math.ceil(plan.concurrentPerPeer / plan.concurrentRounds);
  const deadline = performance.now() + plan.runDeadlineMs;
  for (let round = 0; round < plan.concurrentRounds && performance.now() < deadline; round++) {
    const shift = round % names.length;
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      const first = indexBase + round * perRound;
      const cpuBefore = cpuNow(name);
      const sample = await runConcurrent(perRound, plan.concurrency, (index) => timeChat(endpoint(name), index), deadline - performance.now(), first);
      serverCpuMs[name] = (serverCpuMs[name] ?? 0) + (cpuNow(name) - cpuBefore);
      mergeSample(sampleOf(concurrent, name), sample);
    }
  }

  return names.map((name) => {
    const [seq, stream, conc] = [sampleOf(sequential, name), sampleOf(streams, name), sampleOf(concurrent, name)];
    const all = [seq, stream, conc];
    const concurrentOk = okLatencies(conc);
    return {
      peer: name,
      sequential: summarize(okLatencies(seq)),
      concurrent: summarize(concurrentOk),
      throughput: conc.wallMs > 0 ? concurrentOk.length / (conc.wallMs / 1000) : Number.NaN,
      serverCpuMsPerRequest: concurrentOk.length > 0 ? (serverCpuMs[name] ?? Number.NaN) / concurrentOk.length : Number.NaN,
      ttft: summarize(okLatencies(stream, (call) => call.ttftMs)),
      failures: all.reduce((sum, sample) => sum + sample.calls.filter((call) => !call.ok).length, 0),
      failureExamples: failureExamples(all),
      cacheHeader: cacheHeaderCounts(all),
    };
  });
}

function sampleOf(samples: Record<string, Sample>, name: string): Sample {
  const sample = samples[name];
  if (!sample) throw new Error(`no sample for peer ${name}`);
  return sample;
}
