// The semantic cache fails open through the whole stack: with the Redis REST bridge or the Vector
// server stopped mid-run, chat requests are still answered 200 and x-gateway-cache says why (and
// /metrics, whose counters live in Redis, still answers and says the store is unavailable); once the
// stand-in is back on its port, hits come back. Runs on a stack of its own (the shared one cannot stop
// single stand-ins): the stand-ins, `wrangler dev` on a free port, the dev config (cache on by default).
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDotenv } from "../../../dev/dev-vars";
import { freePort, waitFor } from "../../../dev/ports";
import { deleteKeysWithPrefix } from "../../../dev/redis-server";
import { startStandIns, type RestartableStandIn, type StandIns } from "../../../dev/stack";
import { startWranglerDev, type WranglerDevHandle } from "../../../dev/wrangler-dev";
import { DEV_CONFIG_INPUT } from "../../../shared/dev-config";

const API_KEY = "sk-test-fail-open";
const root = join(import.meta.dirname, "..", "..", "..");
const dataDir = mkdtempSync(join(tmpdir(), "llm-edge-failopen-"));
const wranglerLog = join(dataDir, "wrangler.log");
const keyPrefix = `it-failopen-${randomUUID().slice(0, 8)}:`;

let standIns: StandIns | undefined;
let wrangler: WranglerDevHandle | undefined;
let edgeUrl = "";

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no wrangler log)";
  }
}

beforeAll(async () => {
  const vars = {
    ...parseDotenv(readFileSync(join(root, ".dev.vars.example"), "utf8")),
    API_KEYS: `${API_KEY}=tenant-fail-open`,
    PLATFORM_CONFIG: JSON.stringify(DEV_CONFIG_INPUT),
    REDIS_KEY_PREFIX: keyPrefix,
  };
  standIns = await startStandIns({ ports: { sim: 0, redisBridge: 0, vector: 0, redis: Number(process.env.REDIS_PORT ?? 6379) }, vars, dataDir });
  const port = await freePort();
  wrangler = startWranglerDev({ root, port, vars: standIns.vars, persistTo: join(dataDir, "wrangler"), output: wranglerLog });
  edgeUrl = `http://127.0.0.1:${port}`;
  let exited = false;
  void wrangler.exited.then(() => (exited = true));
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error("wrangler dev exited before the edge became healthy");
        return (await fetch(`${edgeUrl}/health`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status === 200;
      },
      90_000,
      `the edge Worker (${edgeUrl}/health)`,
      250,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- wrangler log (tail) ---\n${tail(wranglerLog)}`);
  }
}, 120_000);

afterAll(async () => {
  await wrangler?.stop();
  await standIns?.stop();
  if (standIns) await deleteKeysWithPrefix(standIns.urls.redis, keyPrefix);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** One question of its own per call, so no other test's entry can answer it. */
const question = (text: string) => ({ model: "default", messages: [{ role: "user", content: `${text} (case ${randomUUID().slice(0, 8)})` }] });

/** Sends a chat request through the edge; returns the status, the cache header and the answer text. */
async function chat(body: unknown): Promise<{ status: number; cache: string; content: string }> {
  const response = await fetch(`${edgeUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { choices?: Array<{ message?: { content?: string } }> };
  return { status: response.status, cache: response.headers.get("x-gateway-cache") ?? "", content: json.choices?.[0]?.message?.content ?? "" };
}

/** Repeats the request until the cache answers it (the store runs in the background after a MISS). */
async function untilHit(body: unknown, what: string): Promise<{ status: number; cache: string; content: string }> {
  let last = { status: 0, cache: "", content: "" };
  await waitFor(async () => (last = await chat(body)).cache.startsWith("HIT"), 15_000, what, 50);
  return last;
}

/** Vectors in the Vector server (this stack's own), read from its info endpoint. */
async function vectorCount(): Promise<number> {
  const response = await fetch(`${standIns!.urls.vector}/info`, { headers: { authorization: `Bearer ${standIns!.vars.UPSTASH_VECTOR_REST_TOKEN}` } });
  return ((await response.json()) as { result: { vectorCount: number } }).result.vectorCount;
}

/** A stand-in this stack started and can stop and restart. */
function restartable(name: "redisBridge" | "vector"): RestartableStandIn {
  const standIn = standIns?.restartable[name];
  if (!standIn) throw new Error(`the ${name} stand-in was not started by this test`);
  return standIn;
}

describe("cache fail-open through the whole stack", () => {
  it("answers with the Redis bridge stopped, says redis in the header, and hits again once it is back", async () => {
    const bridge = restartable("redisBridge");
    const stored = question("What is the tallest mountain in Norway?");
    const first = await chat(stored);
    expect(first.cache).toMatch(/^MISS/);
    expect((await untilHit(stored, "a HIT before the outage")).content).toBe(first.content);

    await bridge.stop();
    try {
      const repeated = await chat(stored);
      expect(repeated.status).toBe(200);
      expect(repeated.cache).toMatch(/^MISS; reason=redis_(unavailable|timeout)$/);
      expect(repeated.content).not.toBe("");
      const fresh = await chat(question("Name a river in Scotland"));
      expect(fresh.status).toBe(200);
      expect(fresh.cache).toMatch(/^MISS; reason=redis_(unavailable|timeout)$/);
      // /metrics reads its counters from Redis too: it still answers, and says what is missing.
      const scrape = await fetch(`${edgeUrl}/metrics`, { headers: { authorization: `Bearer ${standIns!.vars.METRICS_TOKEN}` } });
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get("x-metrics-store")).toBe("unavailable");
      expect(await scrape.text()).toMatch(/^# metrics store unavailable/m);
    } finally {
      await bridge.start();
    }

    expect((await untilHit(stored, "a HIT on the entry stored before the outage")).cache).toMatch(/^HIT; kind=exact/);
    const after = question("Which planet has the most moons?");
    // Redis is back: a new question misses for a reason of its own (never redis_*; under load the
    // vector query may run out of its budget), and its answer is stored and hit.
    expect((await chat(after)).cache).toMatch(/^MISS; reason=(?!redis_)/);
    expect((await untilHit(after, "a HIT on an entry stored after the outage")).status).toBe(200);
  });

  it("answers with the Vector server stopped, keeps exact hits, says vector in the header, and hits semantically again once it is back", async () => {
    const vector = restartable("vector");
    const tag = randomUUID().slice(0, 6);
    const stored = { model: "default", messages: [{ role: "user", content: `How do I reset my password on server ${tag}?` }] };
    const paraphrase = { model: "default", messages: [{ role: "user", content: `How can I reset my password on server ${tag}?` }] };
    const vectorsBefore = await vectorCount();
    expect((await chat(stored)).cache).toMatch(/^MISS/);
    await waitFor(async () => (await vectorCount()) > vectorsBefore, 15_000, "the stored entry's vector", 50);

    await vector.stop();
    try {
      // The exact path lives in Redis only: it keeps answering from the cache.
      expect((await untilHit(stored, "an exact HIT without Vector")).cache).toMatch(/^HIT; kind=exact/);
      const missed = await chat(paraphrase);
      expect(missed.status).toBe(200);
      expect(missed.cache).toMatch(/^MISS; reason=vector_(unavailable|timeout)$/);
      const fresh = await chat(question("Name a lake in Finland"));
      expect(fresh.status).toBe(200);
      expect(fresh.cache).toMatch(/^MISS; reason=vector_(unavailable|timeout)$/);
    } finally {
      await vector.start();
    }
    // Back means lookups reach it within their budget again; on a loaded machine the first after the
    // restart may still run out of it (a fail-open MISS, as designed).
    const reachesVector = async () => !(await chat(question("Name a town in Norway"))).cache.includes("reason=vector_");
    await waitFor(reachesVector, 15_000, "a lookup that reaches the restarted Vector server", 50);

    // The paraphrase above was stored for exact match only; a new pair shows the semantic path is back.
    const tagAfter = randomUUID().slice(0, 6);
    const storedAfter = { model: "default", messages: [{ role: "user", content: `How do I reset my password on server ${tagAfter}?` }] };
    const paraphraseAfter = { model: "default", messages: [{ role: "user", content: `How can I reset my password on server ${tagAfter}?` }] };
    const vectorsAfter = await vectorCount();
    expect((await chat(storedAfter)).cache).toMatch(/^MISS; reason=(no_match|verifier_rejected)$/);
    await waitFor(async () => (await vectorCount()) > vectorsAfter, 15_000, "the vector stored after the outage", 50);
    expect((await chat(paraphraseAfter)).cache).toMatch(/^HIT; kind=semantic; similarity=0\.9\d+/);
  });
});
