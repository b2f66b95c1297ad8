// Benchmark of the local Upstash Vector server (in its own process, as in the dev stack) through the
// real @upstash/vector client: fills one namespace to 10k and then 100k random unit 512-dim vectors
// (batched upserts, a few in flight), and after each fill times 200 queries (topK 10, includeMetadata);
// one more row at 100k with a metadata filter. Run: `npx tsx bench/vector-server.bench.ts`.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Index } from "@upstash/vector";
import { percentile } from "./support/stats";

const DIMENSION = 512;
const BATCH_SIZE = 1000;
const BATCHES_IN_FLIGHT = 3;
const QUERIES = 200;
const WARMUP_QUERIES = 10;
const SIZES = [10_000, 100_000];
const FILTER = "group = 3 AND position >= 1000";

export interface FillFigures {
  size: number;
  seconds: number;
  vectorsPerSecond: number;
}
export interface QueryFigures {
  label: string;
  size: number;
  p50Ms: number;
  p99Ms: number;
  meanResults: number;
}
export interface BenchFigures {
  fills: FillFigures[];
  queries: QueryFigures[];
}

/** Random unit vector, rounded to 6 decimals to keep request bodies small. */
function randomUnitVector(): number[] {
  const v = new Array<number>(DIMENSION);
  let squares = 0;
  for (let j = 0; j < DIMENSION; j++) {
    v[j] = Math.random() * 2 - 1;
    squares += v[j]! * v[j]!;
  }
  const scale = 1e6 / Math.sqrt(squares);
  for (let j = 0; j < DIMENSION; j++) v[j] = Math.round(v[j]! * scale) / 1e6;
  return v;
}

/** Starts `dev/vector-server/server.ts` as a child process on a free port. */
async function startServerProcess(token: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "dev/vector-server/server.ts"], {
    cwd: root,
    env: { ...process.env, VECTOR_SERVER_PORT: "0", UPSTASH_VECTOR_REST_TOKEN: token, VECTOR_SERVER_DIMENSION: String(DIMENSION) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  for await (const line of createInterface({ input: child.stdout! })) {
    const url = /on (http:\/\/\S+)/.exec(line)?.[1];
    if (url) {
      return {
        url,
        stop: async () => {
          child.kill("SIGTERM");
          await exited;
        },
      };
    }
  }
  throw new Error("the vector server process exited before it was listening");
}

async function timeQueries(ns: ReturnType<Index["namespace"]>, label: string, size: number, filter?: string): Promise<QueryFigures> {
  const run = () => ns.query({ vector: randomUnitVector(), topK: 10, includeMetadata: true, ...(filter ? { filter } : {}) });
  for (let i = 0; i < WARMUP_QUERIES; i++) await run();
  const timings: number[] = [];
  let results = 0;
  for (let i = 0; i < QUERIES; i++) {
    const started = performance.now();
    results += (await run()).length;
    timings.push(performance.now() - started);
  }
  return { label, size, p50Ms: percentile(timings, 50), p99Ms: percentile(timings, 99), meanResults: results / QUERIES };
}

/** Runs the whole benchmark on a fresh in-process server and returns the figures. */
export async function run(): Promise<BenchFigures> {
  const token = "bench-token";
  const server = await startServerProcess(token);
  const ns = new Index({ url: server.url, token, enableTelemetry: false, retry: false }).namespace("bench");
  const figures: BenchFigures = { fills: [], queries: [] };
  try {
    let filled = 0;
    for (const size of SIZES) {
      const started = performance.now();
      const inFlight = new Set<Promise<unknown>>();
      while (filled < size) {
        const first = filled;
        const count = Math.min(BATCH_SIZE, size - first);
        const batch = Array.from({ length: count }, (_, i) => {
          const position = first + i;
          return { id: `v-${position}`, vector: randomUnitVector(), metadata: { group: position % 10, position } };
        });
        const request = ns.upsert(batch).finally(() => inFlight.delete(request));
        inFlight.add(request);
        filled += count;
        if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      const seconds = (performance.now() - started) / 1000;
      const added = size - (figures.fills.at(-1)?.size ?? 0);
      figures.fills.push({ size, seconds, vectorsPerSecond: added / seconds });
      figures.queries.push(await timeQueries(ns, "query", size));
    }
    figures.queries.push(await timeQueries(ns, `query + filter "${FILTER}"`, SIZES.at(-1)!, FILTER));
  } finally {
    await server.stop();
  }
  return figures;
}

function printTable(figures: BenchFigures): void {
  const fmt = (n: number) => n.toFixed(2);
  console.log(`\nFill (batches of ${BATCH_SIZE} via the client)`);
  console.table(figures.fills.map((f) => ({ "index size": f.size, seconds: fmt(f.seconds), "vectors/s": Math.round(f.vectorsPerSecond) })));
  console.log(`Queries (${QUERIES} per row, topK 10, includeMetadata, ${DIMENSION} dims, COSINE)`);
  console.table(
    figures.queries.map((q) => ({ query: q.label, "index size": q.size, "p50 ms": fmt(q.p50Ms), "p99 ms": fmt(q.p99Ms), "results/query": q.meanResults })),
  );
  const [small, large, filtered] = figures.queries;
  if (small && large) console.log(`p50 ratio 100k / 10k: ${(large.p50Ms / small.p50Ms).toFixed(2)}x`);
  if (large && filtered) console.log(`p50 ratio filtered / unfiltered at 100k: ${(filtered.p50Ms / large.p50Ms).toFixed(2)}x`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  printTable(await run());
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
