// Platform load: the whole local stack (dev/stack.ts: stand-ins + `wrangler dev` with every Worker)
// driven open-loop at LOAD_RATE requests/s (default 200) for LOAD_DURATION_S seconds (default 60),
// a mix of plain chat, cached repeats, streamed chat and fan-out jobs (POST /v1/jobs), while the
// simulator answers about 20% of sim-primary's calls with 503 so retries and fallbacks happen.
// Prints success rate and p50/p99 per kind and overall, the achieved rate, how the jobs ended, the
// upstream calls, and the workerd process's RSS before and after. Figures: docs/benchmarks.md.
// Run: `npx tsx bench/load.bench.ts` (LOAD_DURATION_S=10 for a quick try).
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEV_CONFIG_INPUT } from "../shared/dev-config";
import type { Stack } from "../dev/stack";
import { withDevStack } from "./support/dev-stack";
import { fixed, formatTable, summarize } from "./support/stats";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const API_KEY = "sk-bench-load";
const DURATION_S = Number(process.env.LOAD_DURATION_S ?? 60);
const RATE = Number(process.env.LOAD_RATE ?? 200);
const FAULT_SHARE = 0.2;
const FAULT_TICK_MS = 250;
const REQUEST_TIMEOUT_MS = 30_000;
const CACHED_QUESTIONS = 20;

type Kind = "plain" | "cached" | "stream" | "job";
/** Share of each kind in the mix; a request's kind is drawn by these weights. */
const MIX: Array<[Kind, number]> = [["plain", 0.45], ["cached", 0.25], ["stream", 0.2], ["job", 0.1]];

interface Outcome {
  kind: Kind;
  ok: boolean;
  ms: number;
  status: number;
  cacheHit: boolean;
  fallback: boolean;
  jobId?: string;
  /** The OpenAI error code of a failed answer ("timeout" when none came in time). */
  code?: string;
}

/**
 * The dev routes plus "load-cached" (the same targets as "default"), the only alias with the cache
 * on, for exact matches only (maxSemanticQueryChars 1). Storing an answer embeds it in the Vector
 * stand-in, which runs the embedding model (~35 ms of CPU per text) in this very process beside the
 * simulator; at 200 stores a second that, not the platform, would be what the run measures.
 */
const LOAD_CONFIG = {
  ...DEV_CONFIG_INPUT,
  routes: { ...DEV_CONFIG_INPUT.routes, "load-cached": DEV_CONFIG_INPUT.routes!.default! },
  cache: { enabled: false, maxSemanticQueryChars: 1, models: { "load-cached": { enabled: true } } },
  // Sized to this machine: past 64 requests in flight the edge answers 503 overloaded at once.
  overload: { maxInFlight: Number(process.env.LOAD_MAX_IN_FLIGHT ?? 64) },
};

function pickKind(): Kind {
  let roll = Math.random();
  for (const [kind, share] of MIX) {
    if ((roll -= share) < 0) return kind;
  }
  return "plain";
}

const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
const chatBody = (question: string, stream = false, model = "default") => JSON.stringify({ model, messages: [{ role: "user", content: question }], ...(stream ? { stream: true } : {}) });
const cachedQuestion = (i: number) => `Load benchmark: name a colour, case ${i}`;

async function send(edge: string, kind: Kind): Promise<Outcome> {
  const started = performance.now();
  try {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    if (kind === "job") {
      const branches = [0, 1].map((i) => ({ model: "default", messages: [{ role: "user", content: `Load job ${randomUUID()} branch ${i}` }] }));
      const response = await fetch(`${edge}/v1/jobs`, { method: "POST", headers, body: JSON.stringify({ kind: "fanout", branches }), signal });
      const body = (await response.json()) as { id?: string };
      return { kind, ok: response.status === 202, ms: performance.now() - started, status: response.status, cacheHit: false, fallback: false, ...(body.id ? { jobId: body.id } : {}) };
    }
    const question = kind === "cached" ? cachedQuestion(Math.floor(Math.random() * CACHED_QUESTIONS)) : `Load benchmark ${randomUUID()}: say something short`;
    const response = await fetch(`${edge}/v1/chat/completions`, { method: "POST", headers, body: chatBody(question, kind === "stream", kind === "cached" ? "load-cached" : "default"), signal });
    const text = await response.text();
    const streamOk = kind !== "stream" || (text.includes("data: [DONE]") && !text.includes('"error"'));
    const code = response.status === 200 && streamOk ? undefined : (/"code":"([^"]+)"/.exec(text)?.[1] ?? String(response.status));
    return {
      kind,
      ok: code === undefined,
      ...(code ? { code } : {}),
      ms: performance.now() - started,
      status: response.status,
      cacheHit: (response.headers.get("x-gateway-cache") ?? "").startsWith("HIT"),
      fallback: Number(response.headers.get("x-gateway-fallback-index") ?? 0) > 0,
    };
  } catch {
    return { kind, ok: false, ms: performance.now() - started, status: 0, cacheHit: false, fallback: false, code: "timeout" };
  }
}

/** The workerd processes below this one (wrangler dev's runtime), by reading /proc. */
function workerdPids(): number[] {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parents.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) if (current === process.pid) return true;
    return false;
  };
  return [...names].filter(([pid, name]) => name.startsWith("workerd") && below(pid)).map(([pid]) => pid);
}

/** Resident memory (MiB) of the workerd processes, from VmRSS in /proc/<pid>/status. */
function workerdRssMiB(): number {
  let kib = 0;
  for (const pid of workerdPids()) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

async function simCalls(sim: string): Promise<Record<string, number>> {
  return (await (await fetch(`${sim}/__sim/calls`, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, number>;
}

/** Every FAULT_TICK_MS: the next ~20% of sim-primary's calls (by its call rate in the last tick) answer 503. */
function startFaults(sim: string): { stop(): Promise<number> } {
  let last: number | undefined;
  let injected = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const primary = (await simCalls(sim))["sim-primary"] ?? 0;
        const times = last === undefined ? 0 : Math.round((primary - last) * FAULT_SHARE);
        last = primary;
        if (times > 0) {
          const posted = await fetch(`${sim}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "sim-primary", status: 503, times }) });
          if (posted.ok) injected += times;
        }
      } catch {
        // A dropped connection under load: skip this tick.
      }
      await new Promise((resolve) => setTimeout(resolve, FAULT_TICK_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await fetch(`${sim}/__sim/faults`, { method: "DELETE" });
      return injected;
    },
  };
}

/** Open loop: request i leaves at start + i/RATE seconds, whether or not earlier ones have answered. */
async function drive(edge: string): Promise<{ outcomes: Outcome[]; sendSeconds: number }> {
  const total = Math.round(DURATION_S * RATE);
  const pending: Array<Promise<Outcome>> = [];
  const started = performance.now();
  let reported = 0;
  while (pending.length < total) {
    const second = Math.floor((performance.now() - started) / 10_000);
    if (second > reported) {
      reported = second;
      console.log(`  ${second * 10} s: ${pending.length} sent`);
    }
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
    while (pending.length < due) pending.push(send(edge, pickKind()));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const sendSeconds = (performance.now() - started) / 1000;
  return { outcomes: await Promise.all(pending), sendSeconds };
}

/** Waits (bounded) for the jobs to end and counts them by status. */
async function jobEnds(edge: string, ids: string[]): Promise<Record<string, number>> {
  const deadline = Date.now() + 60_000;
  const status = new Map<string, string>();
  while (Date.now() < deadline) {
    const open = ids.filter((id) => !["succeeded", "failed", "cancelled"].includes(status.get(id) ?? ""));
    if (open.length === 0) break;
    for (let i = 0; i < open.length; i += 20) {
      await Promise.all(
        open.slice(i, i + 20).map(async (id) => {
          try {
            const response = await fetch(`${edge}/v1/jobs/${id}`, { headers, signal: AbortSignal.timeout(5_000) });
            if (response.ok) status.set(id, ((await response.json()) as { status: string }).status);
          } catch {
            // not answered in time: asked again in the next round
          }
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const counts: Record<string, number> = {};
  for (const id of ids) counts[status.get(id) ?? "unknown"] = (counts[status.get(id) ?? "unknown"] ?? 0) + 1;
  return counts;
}

function row(name: string, outcomes: Outcome[]): string[] {
  const ok = outcomes.filter((outcome) => outcome.ok);
  const latency = summarize(outcomes.map((outcome) => outcome.ms));
  return [name, String(outcomes.length), String(ok.length), fixed((100 * ok.length) / Math.max(1, outcomes.length), 1), fixed(latency.p50), fixed(latency.p99), String(outcomes.filter((o) => o.cacheHit).length), String(outcomes.filter((o) => o.fallback).length)];
}

async function measure(stack: Stack): Promise<void> {
  const edge = stack.urls.edge;
  // Warm the isolates and the cached questions (each asked until the exact path answers).
  for (let i = 0; i < CACHED_QUESTIONS; i++) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await fetch(`${edge}/v1/chat/completions`, { method: "POST", headers, body: chatBody(cachedQuestion(i), false, "load-cached"), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await response.arrayBuffer();
      if ((response.headers.get("x-gateway-cache") ?? "").startsWith("HIT")) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const rssBefore = workerdRssMiB();
  const callsBefore = await simCalls(stack.urls.sim);
  console.log(`workerd RSS before: ${fixed(rssBefore, 1)} MiB (pids ${workerdPids().join(", ") || "not found"})`);
  console.log(`driving ${RATE} req/s open-loop for ${DURATION_S} s, ~${FAULT_SHARE * 100}% of sim-primary's calls answered 503…`);
  const faults = startFaults(stack.urls.sim);
  const { outcomes, sendSeconds } = await drive(edge);
  const callsAfter = await simCalls(stack.urls.sim);
  const injected = await faults.stop();
  const rssAfter = workerdRssMiB();
  const jobs = await jobEnds(edge, outcomes.flatMap((outcome) => (outcome.jobId ? [outcome.jobId] : [])));

  const rows = [...MIX.map(([kind]) => row(kind, outcomes.filter((outcome) => outcome.kind === kind))), row("overall", outcomes)];
  console.log(`\nPlatform load: ${RATE} req/s target for ${DURATION_S} s on the local stack (wrangler dev, all Workers), latency in ms`);
  console.log(formatTable(["kind", "sent", "ok", "success %", "p50 ms", "p99 ms", "cache hits", "fallbacks"], rows));
  const statuses: Record<string, number> = {};
  for (const outcome of outcomes.filter((o) => !o.ok)) {
    const key = `${outcome.status} ${outcome.code ?? ""}`.trim();
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const delta = (model: string) => (callsAfter[model] ?? 0) - (callsBefore[model] ?? 0);
  console.log(`\nachieved send rate ${fixed(outcomes.length / sendSeconds, 1)} req/s (${outcomes.length} requests in ${fixed(sendSeconds, 1)} s); failures by status and code ${JSON.stringify(statuses)}`);
  console.log(`jobs by final status (60 s to finish after the run): ${JSON.stringify(jobs)}`);
  console.log(`upstream calls: sim-primary ${delta("sim-primary")} (${injected} answered 503 by the fault script), sim-secondary ${delta("sim-secondary")}`);
  console.log(`workerd RSS: before ${fixed(rssBefore, 1)} MiB, after ${fixed(rssAfter, 1)} MiB (${rssAfter >= rssBefore ? "+" : ""}${fixed(rssAfter - rssBefore, 1)} MiB)`);
}

async function main(): Promise<void> {
  console.log(`Platform load benchmark; Node ${process.version}; everything on 127.0.0.1.`);
  // Whatever happens (Ctrl-C, an overrun), wrangler dev and its workerd are stopped (withDevStack).
  const overrun = { afterMs: (DURATION_S + 300) * 1000, message: "\nload bench: still running long after its duration; stopping everything." };
  try {
    await withDevStack(ROOT, { name: "bench-load", apiKeys: `${API_KEY}=bench-load`, platformConfig: LOAD_CONFIG, readyTimeoutMs: 90_000, overrun }, ({ stack }) =>
      measure(stack),
    );
  } catch (error) {
    console.error(`load bench failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
  process.exit(0);
}

await main();
