// Semantic cache benchmark on ../shared/eval/semantic-cache/qqp-pairs.csv: store question1, look up
// question2, each pair in its own tenant (so a lookup can only meet its own pair), against the local
// Upstash Vector server (child process, built-in USE-lite embedding) and the Redis bridge. Prints
// precision and hit rate (recall of true duplicates) by cosine threshold with and without the
// verifier, the real lookup at the shipped defaults, and @upstash/semantic-cache at its documented
// minProximity beside it, with lookup latency for both. Overfitting guard: the pairs are split in
// two halves by their line in the file (even = dev, odd = held-out); the threshold that the dev half
// alone would choose is reported with its held-out figures, and the default on both halves.
// Run: `npx tsx bench/semantic-cache.bench.ts [--pairs N|all]` (default: every third pair, 3,014).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CacheConfigSchema, createLogger, redisFromEnv, vectorFromEnv, type CacheConfig } from "@llm-edge/shared";
import { SemanticCache } from "@upstash/semantic-cache";
import { Redis as DirectRedis } from "ioredis";
import { startRedisBridge } from "../dev/redis-bridge/server";
import type { CacheDeps } from "../functions/cache/deps";
import { createEmbedder } from "../functions/cache/embedding";
import { lookup } from "../functions/cache/lookup";
import { store } from "../functions/cache/store";
import { verifyCandidate, type VerifierCheck } from "../functions/cache/verify";
import { fixed, formatTable, summarize } from "./support/stats";

const DATA = fileURLToPath(new URL("../../shared/eval/semantic-cache/qqp-pairs.csv", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const THRESHOLDS = [0.8, 0.82, 0.84, 0.86, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98];
/** @upstash/semantic-cache's documented default (README and type docs): a normalised score, i.e. cosine 0.8. */
const PEER_MIN_PROXIMITY = 0.9;
const TARGET_PRECISION = 0.95;
/** Every third pair: the full set (9,042) takes about 10 minutes, since every store and lookup embeds on CPU. `--pairs all` runs it. */
const DEFAULT_PAIRS = 3_014;
const CONTEXT = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

interface Pair {
  question1: string;
  question2: string;
  duplicate: boolean;
  /** Even lines of the file are the dev half (where thresholds and verifier settings are chosen), odd ones the held-out half. */
  half: "dev" | "held-out";
}

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) → rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') (field += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (c !== "\r") field += c;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

/** The pairs, or an evenly spaced subset of `limit` of them (the file lists duplicates first). */
function readPairs(limit: number): Pair[] {
  const [header, ...rows] = parseCsv(readFileSync(DATA, "utf8"));
  if (header?.join(",") !== "question1,question2,is_duplicate") throw new Error(`unexpected header in ${DATA}: ${header?.join(",")}`);
  const all = rows
    .filter((row) => row.length === 3)
    .map(([question1, question2, label], line): Pair => ({ question1: question1!, question2: question2!, duplicate: label === "1", half: line % 2 === 0 ? "dev" : "held-out" }));
  const stride = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % stride === 0).slice(0, limit);
}

/** The local Vector server in its own process (as in the dev stack), so its embedding work does not skew our timers. */
async function startVectorProcess(token: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "dev/vector-server/server.ts"], {
    cwd: ROOT,
    env: { ...process.env, VECTOR_SERVER_PORT: "0", UPSTASH_VECTOR_REST_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /on (http:\/\/\S+)/.exec(line)?.[1];
    if (url) return { url, stop: async () => void (child.kill("SIGTERM"), await exited) };
  }
  throw new Error("the vector server process exited before it was listening");
}

function progress(label: string, done: number, total: number): void {
  if (done % 1000 === 0 || done === total) process.stderr.write(`  ${label}: ${done}/${total}\n`);
}

interface Score {
  hits: number;
  correct: number;
}
const precision = (score: Score) => (score.hits === 0 ? Number.NaN : score.correct / score.hits);

/** Mean time of one verifyCandidate call (ms) over the pairs, after a warm-up pass. */
function timeVerifier(pairs: readonly Pair[], config: CacheConfig): number {
  const run = () => {
    for (const pair of pairs) verifyCandidate(config.verifier, pair.question2, pair.question1);
  };
  run();
  const started = performance.now();
  run();
  return (performance.now() - started) / pairs.length;
}

async function main(): Promise<void> {
  if (!existsSync(DATA)) {
    console.log(`semantic-cache benchmark skipped: ${DATA} not found (the evaluation data sits beside the checkout, in ../shared/eval).`);
    return;
  }
  const pairsArg = process.argv[process.argv.indexOf("--pairs") + 1];
  const pairs = readPairs(process.argv.includes("--pairs") ? (pairsArg === "all" ? Number.POSITIVE_INFINITY : Number(pairsArg)) : DEFAULT_PAIRS);
  const duplicates = pairs.filter((pair) => pair.duplicate).length;
  const runId = Math.random().toString(36).slice(2, 10);
  const keyPrefix = `bench:cache:${runId}:`;
  const [redisToken, vectorToken] = [`r-${runId}`, `v-${runId}`];
  const bridge = await startRedisBridge({ port: 0, token: redisToken, redisUrl: REDIS_URL });
  const vectorServer = await startVectorProcess(vectorToken);
  const vector = vectorFromEnv({ UPSTASH_VECTOR_REST_URL: vectorServer.url, UPSTASH_VECTOR_REST_TOKEN: vectorToken });
  const depsFor = (config: CacheConfig): CacheDeps => ({
    config,
    redis: redisFromEnv({ UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: redisToken }),
    vector,
    embedder: createEmbedder(config.embedding, {}),
    keyPrefix,
    now: () => Date.now(),
    log: createLogger({ worker: "bench" }, () => undefined),
  });
  const shipped = depsFor(CacheConfigSchema.parse({ namespacePrefix: `bench-${runId}-` }));
  const probe = depsFor(CacheConfigSchema.parse({ namespacePrefix: `bench-${runId}-`, threshold: 0, verifier: { enabled: false }, budgets: { lookupMs: 10_000 } }));
  const tenant = (i: number) => `pair-${i}`;
  const request = (question: string) => ({ model: "default", messages: [{ role: "user" as const, content: question }] });
  const completion = (i: number) => ({ id: `c-${i}`, object: "chat.completion" as const, created: 0, model: "bench", choices: [{ index: 0, message: { role: "assistant" as const, content: `answer ${i}` }, finish_reason: "stop" as const }] });

  try {
    await vector.namespace(`bench-${runId}-warmup`).query({ data: "warm up", topK: 1 });
    console.error(`semantic-cache benchmark: ${pairs.length} pairs (${duplicates} duplicates)`);
    for (const [i, pair] of pairs.entries()) {
      const stored = await store(shipped, { tenant: tenant(i), request: request(pair.question1), completion: completion(i), context: CONTEXT });
      if (!stored.stored || stored.reason) throw new Error(`store ${i} failed: ${stored.reason}`);
      progress("store (ours)", i + 1, pairs.length);
    }
    // Probe: threshold 0, no verifier → the cosine similarity of every pair, through the real lookup.
    const similarity: number[] = [];
    for (const [i, pair] of pairs.entries()) {
      const result = (await lookup(probe, { tenant: tenant(i), request: request(pair.question2), context: CONTEXT })).result;
      similarity.push(result.status === "HIT" ? (result.similarity ?? 1) : Number.NEGATIVE_INFINITY);
      progress("probe (ours)", i + 1, pairs.length);
    }
    const verdicts = pairs.map((pair) => verifyCandidate(shipped.config.verifier, pair.question2, pair.question1));
    const verifierMs = timeVerifier(pairs, shipped.config);
    const sweep = (threshold: number, verified: boolean, half?: Pair["half"]): Score => {
      const score = { hits: 0, correct: 0 };
      pairs.forEach((pair, i) => {
        if (half && pair.half !== half) return;
        if (similarity[i]! >= threshold && (!verified || similarity[i] === 1 || verdicts[i]!.ok)) (score.hits++, (score.correct += pair.duplicate ? 1 : 0));
      });
      return score;
    };
    const duplicatesIn = (half: Pair["half"]) => pairs.filter((pair) => pair.half === half && pair.duplicate).length;
    // The real lookup at the shipped defaults (threshold, verifier, 150 ms budget).
    const real = { hits: 0, correct: 0, failOpen: 0, hitMs: [] as number[], missMs: [] as number[], agree: 0 };
    for (const [i, pair] of pairs.entries()) {
      const started = performance.now();
      const outcome = await lookup(shipped, { tenant: tenant(i), request: request(pair.question2), context: CONTEXT });
      const elapsed = performance.now() - started;
      await outcome.background;
      const hit = outcome.result.status === "HIT";
      (hit ? real.hitMs : real.missMs).push(elapsed);
      if (hit) (real.hits++, (real.correct += pair.duplicate ? 1 : 0));
      if (outcome.result.status === "MISS" && /_(timeout|unavailable)$/.test(outcome.result.reason)) real.failOpen++;
      const predicted = similarity[i]! >= shipped.config.threshold && (similarity[i] === 1 || verdicts[i]!.ok);
      if (predicted === hit) real.agree++;
      progress("lookup (ours, defaults)", i + 1, pairs.length);
    }
    // The peer at its documented setting, same server and embedding, one namespace per pair.
    const peer = { hits: 0, correct: 0, ms: [] as number[] };
    const peerCache = (i: number) => new SemanticCache({ index: vector, namespace: `bench-${runId}-peer-${i}`, minProximity: PEER_MIN_PROXIMITY });
    for (const [i, pair] of pairs.entries()) {
      await peerCache(i).set(pair.question1, String(i));
      progress("store (peer)", i + 1, pairs.length);
    }
    for (const [i, pair] of pairs.entries()) {
      const started = performance.now();
      const value = await peerCache(i).get(pair.question2);
      peer.ms.push(performance.now() - started);
      if (value === String(i)) (peer.hits++, (peer.correct += pair.duplicate ? 1 : 0));
      progress("lookup (peer)", i + 1, pairs.length);
    }

    const rows = THRESHOLDS.map((threshold) => {
      const [plain, verified] = [sweep(threshold, false), sweep(threshold, true)];
      const mark = threshold === shipped.config.threshold ? " (default)" : "";
      return [`${threshold.toFixed(2)}${mark}`, fixed(precision(plain), 3), fixed(plain.correct / duplicates, 3), fixed(precision(verified), 3), fixed(verified.correct / duplicates, 3)];
    });
    console.log(`\nSemantic cache on QQP pairs (${pairs.length} pairs, ${duplicates} duplicates; each pair in its own tenant; USE-lite, local Vector server)`);
    console.log(formatTable(["cosine threshold", "precision", "hit rate", "precision+verifier", "hit rate+verifier"], rows));

    // The threshold we would choose: the highest hit rate with the verifier at precision >= target.
    const fine = Array.from({ length: 200 }, (_, i) => 0.8 + i * 0.001);
    const eligible = fine.map((t) => ({ t, score: sweep(t, true) })).filter(({ score }) => precision(score) >= TARGET_PRECISION);
    const best = eligible.sort((a, b) => b.score.correct - a.score.correct)[0];
    console.log(`\nchosen default: cosine ${shipped.config.threshold} (score ${((1 + shipped.config.threshold) / 2).toFixed(3)}); ` +
      (best ? `in this run, the most duplicates hit at precision >= ${TARGET_PRECISION}: cosine ${best.t.toFixed(3)}` : `no threshold reaches precision ${TARGET_PRECISION} in this run`));

    // Overfitting guard: choose on the dev half only, report on the held-out half.
    const chosenOnDev = fine
      .map((t) => ({ t, score: sweep(t, true, "dev") }))
      .filter(({ score }) => precision(score) >= TARGET_PRECISION)
      .sort((a, b) => b.score.correct - a.score.correct || a.t - b.t)[0];
    const halfRow = (label: string, threshold: number) => [
      label,
      ...(["dev", "held-out"] as const).flatMap((half) => {
        const score = sweep(threshold, true, half);
        return [fixed(precision(score), 3), fixed(score.correct / duplicatesIn(half), 3)];
      }),
    ];
    console.log(`\nDev / held-out halves (even / odd lines of the file; ${duplicatesIn("dev")} / ${duplicatesIn("held-out")} duplicates), verifier on`);
    console.log(
      formatTable(
        ["threshold", "dev precision", "dev hit rate", "held-out precision", "held-out hit rate"],
        [
          halfRow(`${shipped.config.threshold} (default)`, shipped.config.threshold),
          ...(chosenOnDev ? [halfRow(`${chosenOnDev.t.toFixed(3)} (best on dev at precision >= ${TARGET_PRECISION})`, chosenOnDev.t)] : []),
        ],
      ),
    );
    console.log(`verifier cost: ${fixed(verifierMs * 1000, 1)} µs per candidate (both queries' features and every check, in process)`);

    const rejections = new Map<VerifierCheck, [number, number]>();
    pairs.forEach((pair, i) => {
      const verdict = verdicts[i]!;
      if (similarity[i]! < shipped.config.threshold || similarity[i] === 1 || verdict.ok) return;
      const counts = rejections.get(verdict.check) ?? [0, 0];
      counts[pair.duplicate ? 1 : 0]++;
      rejections.set(verdict.check, counts);
    });
    console.log(`\nverifier rejections at the default threshold (pairs above it): ${[...rejections].map(([check, [wrong, right]]) => `${check} ${wrong} non-duplicates / ${right} duplicates`).join("; ")}`);

    const ours = { ...summarize([...real.hitMs, ...real.missMs]) };
    const peerLatency = summarize(peer.ms);
    console.log(`\nSide by side (same server, embedding and pairs)`);
    console.log(
      formatTable(
        ["cache", "precision", "hit rate", "lookup p50 ms", "lookup p99 ms"],
        [
          ["llm-edge cache (defaults, verifier on)", fixed(precision(real), 3), fixed(real.correct / duplicates, 3), fixed(ours.p50, 1), fixed(ours.p99, 1)],
          [`@upstash/semantic-cache (minProximity ${PEER_MIN_PROXIMITY})`, fixed(precision(peer), 3), fixed(peer.correct / duplicates, 3), fixed(peerLatency.p50, 1), fixed(peerLatency.p99, 1)],
        ],
      ),
    );
    const [hitLatency, missLatency] = [summarize(real.hitMs), summarize(real.missMs)];
    console.log(`ours: hit p50 ${fixed(hitLatency.p50, 1)} / p99 ${fixed(hitLatency.p99, 1)} ms (${hitLatency.count}), miss p50 ${fixed(missLatency.p50, 1)} / p99 ${fixed(missLatency.p99, 1)} ms (${missLatency.count}); fail-open misses ${real.failOpen}; real lookups agree with the sweep on ${real.agree}/${pairs.length} pairs`);

    // The peer's whole curve: it ranks by the same score, so its precision at a hit rate is the no-verifier column's.
    const peerCurve = fine.map((t) => sweep(t, false));
    const comparisons = THRESHOLDS.map((t) => sweep(t, true)).map((ourScore) => {
      const hitRate = ourScore.correct / duplicates;
      const match = peerCurve.filter((score) => score.correct / duplicates >= hitRate).sort((a, b) => a.correct - b.correct)[0];
      return { hitRate, ours: precision(ourScore), peer: match ? precision(match) : Number.NaN };
    });
    const beaten = comparisons.filter((c) => Number.isFinite(c.peer) && c.ours > c.peer).length;
    console.log(`precision at equal hit rate, ours vs peer: ${comparisons.map((c) => `${fixed(c.hitRate, 3)}: ${fixed(c.ours, 3)} vs ${fixed(c.peer, 3)}`).join("; ")} → higher at ${beaten}/${comparisons.length}`);
  } finally {
    await vectorServer.stop();
    await bridge.close();
    const redis = new DirectRedis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    for (let cursor = "0"; ; ) {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === "0") break;
    }
    redis.disconnect();
  }
}

await main();
