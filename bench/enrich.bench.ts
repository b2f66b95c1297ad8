// Cron enrichment under load: 1,000 records posted to POST /v1/enrich (a backlog), drained by the
// edge's scheduled handler triggered back to back through wrangler dev's scheduled endpoint (a loop
// much faster than the platform's once a minute), on its own local stack. 10% of the records hit a
// transient upstream error on their first attempt (each has its own summary model, which the
// simulator fails once with a 503) and are retried after their backoff. Prints records per minute, intake → result-stored latency p50/p99,
// and the counts: processed, retried, dead-lettered, duplicated (must be 0), lost (must be 0).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "@upstash/redis";
import type { Stack } from "../dev/stack";
import { DEV_CONFIG_INPUT } from "../shared/dev-config";
import { DEFAULT_ENRICH_TEMPLATE } from "../shared/enrich-config";
import { withDevStack } from "./support/dev-stack";
import { fixed, formatTable, summarize } from "./support/stats";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const API_KEY = "sk-bench-enrich";
const TENANT = "bench-enrich";
const RECORDS = Number(process.env.ENRICH_BENCH_RECORDS ?? 1_000);
const FAULTY_SHARE = 0.1;
const BATCH = 100;
const DEADLINE_MS = 15 * 60_000;
const CRON = "*/1 * * * *";

const sim = (model: string) => ({ provider: "sim", model });
const route = (model: string) => ({ targets: [sim(model)], retry: { maxAttempts: 1 }, breaker: { consecutiveFailures: 10_000, minRequests: 100_000 } });
const KPI_SCHEMA = DEFAULT_ENRICH_TEMPLATE.branches[1]!.jsonSchema!;

const FAULTY = Math.round(RECORDS * FAULTY_SHARE);
/** The faulty records: every tenth. Each gets a summary model of its own, so its fault hits it alone. */
const isFaulty = (index: number) => index % 10 === 9 && Math.floor(index / 10) < FAULTY;
const flakyModel = (index: number) => `b-enr-flaky-${index}`;
const FAULTY_INDEXES = Array.from({ length: RECORDS }, (_, index) => index).filter(isFaulty);
const branches = (summaryModel: string) => [
  { name: "summary", model: summaryModel, instruction: "Summarise the record." },
  { name: "kpis", model: "b-enr-kpi", instruction: "Extract KPIs as JSON.", jsonSchema: KPI_SCHEMA },
];

const CONFIG = {
  ...DEV_CONFIG_INPUT,
  routes: {
    ...DEV_CONFIG_INPUT.routes,
    "b-enr-sum": route("b-enr-sum"),
    "b-enr-kpi": route("b-enr-kpi"),
    ...Object.fromEntries(FAULTY_INDEXES.map((index) => [flakyModel(index), route(flakyModel(index))])),
  },
  cache: { enabled: false },
  enrichment: {
    templates: {
      default: DEFAULT_ENRICH_TEMPLATE,
      bench: { branches: branches("b-enr-sum"), taskRetries: 0 },
      ...Object.fromEntries(FAULTY_INDEXES.map((index) => [flakyModel(index), { branches: branches(flakyModel(index)), taskRetries: 0 }])),
    },
    maxAttempts: 3,
    backoff: { baseMs: 500, maxMs: 2_000 },
    run: { timeBudgetMs: 20_000, subrequestBudget: 1_000, pageSize: 50 },
  },
};

interface Settled {
  id: string;
  status: string;
  attempts: number;
  enqueuedAt: number;
  finishedAt: number;
}

async function post(stack: Stack, path: string, body: unknown): Promise<Response> {
  return fetch(`${stack.urls.edge}${path}`, { method: "POST", headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function readRecords(redis: Redis, prefix: string, ids: string[]): Promise<Settled[]> {
  const settled: Settled[] = [];
  for (let start = 0; start < ids.length; start += 200) {
    const pipeline = redis.pipeline();
    const chunk = ids.slice(start, start + 200);
    for (const id of chunk) pipeline.hmget(`${prefix}enrich:${TENANT}:record:${id}`, "status", "attempts", "enqueuedAt", "finishedAt");
    // HMGET's raw reply (automatic deserialisation off): the values in the order asked for.
    const rows = (await pipeline.exec()) as unknown as Array<Array<string | null>>;
    rows.forEach(([status, attempts, enqueuedAt, finishedAt], index) =>
      settled.push({ id: chunk[index]!, status: status ?? "missing", attempts: Number(attempts ?? 0), enqueuedAt: Number(enqueuedAt ?? 0), finishedAt: Number(finishedAt ?? 0) }),
    );
  }
  return settled;
}

/** Ids of a stream's entries (field "id"), all of them, in pages. */
async function streamIds(redis: Redis, key: string): Promise<string[]> {
  const ids: string[] = [];
  let start = "-";
  for (;;) {
    const page = (await redis.xrange(key, start, "+", 1_000)) as unknown as Array<[string, string[]]>;
    for (const [, fields] of page) ids.push(fields[fields.indexOf("id") + 1]!);
    if (page.length < 1_000) return ids;
    start = `(${page.at(-1)![0]}`;
  }
}

async function measure(stack: Stack, prefix: string, wranglerLog: string): Promise<void> {
  const redis = new Redis({ url: stack.urls.redisBridge, token: stack.vars.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false, automaticDeserialization: false });
  for (const index of FAULTY_INDEXES) {
    await fetch(`${stack.urls.sim}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: flakyModel(index), status: 503, times: 1 }) });
  }
  const ids = Array.from({ length: RECORDS }, (_, index) => `bench-${index}`);
  const started = Date.now();
  for (let start = 0; start < RECORDS; start += BATCH) {
    const records = ids.slice(start, start + BATCH).map((id, offset) => {
      const index = start + offset;
      return { id, text: `Record ${index}: revenue ${index % 97} million, churn ${index % 13}%.`, template: isFaulty(index) ? flakyModel(index) : "bench" };
    });
    const response = await post(stack, "/v1/enrich", { records });
    if (response.status !== 202) throw new Error(`intake: ${response.status} ${await response.text()}`);
  }
  const intakeMs = Date.now() - started;

  let runs = 0;
  let settled: Settled[] = [];
  for (;;) {
    const response = await fetch(`${stack.urls.edge}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(CRON)}`);
    if (response.status !== 200) throw new Error(`scheduled: ${response.status}`);
    runs += 1;
    settled = await readRecords(redis, prefix, ids);
    if (settled.every((record) => record.status === "done" || record.status === "dead_lettered")) break;
    if (Date.now() - started > DEADLINE_MS) break;
  }
  const elapsedMs = Date.now() - started;

  const results = await streamIds(redis, `${prefix}enrich:${TENANT}:results`);
  const dead = await streamIds(redis, `${prefix}enrich:${TENANT}:dead`);
  const resultCounts = new Map<string, number>();
  for (const id of results) resultCounts.set(id, (resultCounts.get(id) ?? 0) + 1);
  const duplicated = [...resultCounts.values()].reduce((sum, count) => sum + count - 1, 0) + dead.filter((id) => resultCounts.has(id)).length;
  const accounted = new Set([...results, ...dead]);
  const lost = ids.filter((id) => !accounted.has(id)).length;
  const done = settled.filter((record) => record.status === "done");
  const deadLettered = settled.filter((record) => record.status === "dead_lettered").length;
  const retried = settled.reduce((sum, record) => sum + Math.max(0, record.attempts - 1), 0);
  const latency = summarize(done.map((record) => record.finishedAt - record.enqueuedAt));
  const calls = (await (await fetch(`${stack.urls.sim}/__sim/calls`)).json()) as Record<string, number>;
  // Every attempt sends its summary branch exactly once (the first branch is always dispatched), so the
  // summary models' calls must equal the attempts: a job started twice for one attempt would show here.
  const summaryCalls = Object.entries(calls).filter(([model]) => model === "b-enr-sum" || model.startsWith("b-enr-flaky-")).reduce((sum, [, count]) => sum + count, 0);
  const attempts = settled.reduce((sum, record) => sum + record.attempts, 0);

  console.log(`${RECORDS} records (${FAULTY} with a transient 503 on their first attempt), intake in ${BATCH}-record batches took ${intakeMs} ms;`);
  console.log(`scheduled handler triggered back to back through wrangler dev (${runs} runs in ${fixed(elapsedMs / 1000, 1)} s, one every ${fixed(elapsedMs / runs / 1000, 2)} s; the platform's cron fires once a minute)`);
  console.log("");
  console.log(
    formatTable(
      ["enrichment", "records/min", "e2e p50 ms", "e2e p99 ms", "processed", "retried", "dead-lettered", "duplicated", "lost"],
      [["cron drain, 2 branches", fixed((RECORDS / elapsedMs) * 60_000, 0), fixed(latency.p50, 0), fixed(latency.p99, 0), String(done.length + deadLettered), String(retried), String(deadLettered), String(duplicated), String(lost)]],
    ),
  );
  console.log("");
  console.log(`summary-branch calls: ${summaryCalls}, attempts: ${attempts} (${summaryCalls === attempts ? "equal: no attempt ran twice" : "MISMATCH"}); KPI-branch calls: ${calls["b-enr-kpi"] ?? 0}`);
  const drains = readFileSync(wranglerLog, "utf8")
    .split("\n")
    .filter((line) => line.includes('"enrichment drain"'))
    .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as { durationMs: number; subrequests: number; started: number; done: number });
  console.log(
    `per run (the handler's own log line): duration p50 ${fixed(summarize(drains.map((line) => line.durationMs)).p50, 0)} ms, max ${Math.max(...drains.map((line) => line.durationMs))} ms; ` +
      `subrequests p50 ${fixed(summarize(drains.map((line) => line.subrequests)).p50, 0)}, max ${Math.max(...drains.map((line) => line.subrequests))}; ` +
      `jobs started per run max ${Math.max(...drains.map((line) => line.started))}, results stored per run max ${Math.max(...drains.map((line) => line.done))}`,
  );
  console.log(`targets: duplicated = 0 ${duplicated === 0 ? "met" : "NOT met"}, lost = 0 ${lost === 0 ? "met" : "NOT met"}`);
}

async function main(): Promise<void> {
  await withDevStack(ROOT, { name: "bench-enrich", apiKeys: `${API_KEY}=${TENANT}`, platformConfig: CONFIG, readyTimeoutMs: 90_000 }, ({ stack, keyPrefix, wranglerLog }) =>
    measure(stack, keyPrefix, wranglerLog),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
