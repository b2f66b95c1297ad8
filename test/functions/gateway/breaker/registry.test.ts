// The breaker registry across "isolates" (several registries) sharing real Redis through the Upstash
// REST bridge with the real @upstash/redis client: shared trips, cluster-wide probe permits, stale
// isolates that cannot overwrite newer decisions, store outages (hung and refused), and no I/O on the
// closed/open hot path. Each test uses its own random key prefix; afterAll deletes only those keys.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "@upstash/redis";
import { Redis as DirectRedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisBridge, type RedisBridge } from "../../../../dev/redis-bridge/server";
import { createLogger } from "../../../../shared/log";
import { BreakerPolicySchema, type BreakerPolicy } from "../../../../shared/policies";
import { BreakerRegistry, type BreakerStore } from "../../../../functions/gateway/breaker/registry";
import { closedPort } from "../../../dev/redis-bridge/harness";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const T0 = 1_700_000_000_000;
const TARGET = "sim/sim-primary";
const runPrefix = `test:breaker:${randomBytes(6).toString("hex")}:`;
const token = `token-${randomBytes(6).toString("hex")}`;

let bridge: RedisBridge;
let redis: Redis;
let direct: DirectRedis;
let testCount = 0;

beforeAll(async () => {
  bridge = await startRedisBridge({ port: 0, token, redisUrl: REDIS_URL });
  redis = new Redis({ url: bridge.url, token, retry: false, enableTelemetry: false });
  direct = new DirectRedis(REDIS_URL, { lazyConnect: true });
  await direct.connect();
});

afterAll(async () => {
  let cursor = "0";
  do {
    const [next, keys] = await direct.scan(cursor, "MATCH", `${runPrefix}*`, "COUNT", 500);
    if (keys.length > 0) await direct.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  direct?.disconnect();
  await bridge?.close();
});

/** Observes how often the registry talks to the store; every call goes to the real client. */
function counting(store: BreakerStore): BreakerStore & { calls: number } {
  const counter = {
    calls: 0,
    eval(script: string, keys: string[], args: string[]) {
      counter.calls += 1;
      return store.eval(script, keys, args);
    },
  };
  return counter;
}

/** A test's isolates: registries over one store and one hand-driven clock, under a fresh key prefix. */
function cluster(options: { store?: BreakerStore; storeTimeoutMs?: number; syncTimeoutMs?: number } = {}) {
  const keyPrefix = `${runPrefix}${++testCount}:`;
  const clock = { now: T0 };
  const logLines: string[] = [];
  const isolate = () =>
    new BreakerRegistry({
      store: options.store ?? redis,
      keyPrefix,
      syncIntervalMs: 1_000,
      ...(options.storeTimeoutMs !== undefined ? { storeTimeoutMs: options.storeTimeoutMs } : {}),
      ...(options.syncTimeoutMs !== undefined ? { syncTimeoutMs: options.syncTimeoutMs } : {}),
      now: () => clock.now,
      log: createLogger({}, (line) => logLines.push(line)),
    });
  return { keyPrefix, clock, logLines, isolate };
}

function policy(overrides: Partial<BreakerPolicy> = {}): BreakerPolicy {
  return BreakerPolicySchema.parse({ consecutiveFailures: 3, cooldownMs: 5_000, maxCooldownMs: 60_000, ...overrides });
}

/** Makes `registry` trip TARGET by consecutive failures. */
async function trip(registry: BreakerRegistry, breakerPolicy: BreakerPolicy): Promise<void> {
  expect((await registry.acquire(TARGET, breakerPolicy)).allowed).toBe(true);
  for (let i = 0; i < breakerPolicy.consecutiveFailures; i++) registry.record(TARGET, "failure", 20, false);
  expect(await registry.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
}

describe("sharing trips", () => {
  it("a trip in one isolate reaches another at its next sync, and the interval paces pulls", async () => {
    const { clock, isolate } = cluster();
    const breakerPolicy = policy();
    const a = isolate();
    const b = isolate();
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });
    await b.sync();

    await trip(a, breakerPolicy);
    await a.sync();
    await b.sync(); // less than syncIntervalMs since b's last sync and nothing to push: skipped
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });

    clock.now += 1_000;
    await b.sync();
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: false, retryInMs: 4_000 });
    expect(b.snapshots()[TARGET]).toMatchObject({ state: "open", trips: 1, openUntil: T0 + 5_000, version: 1 });
  });

  it("a new isolate learns an existing trip at its first sync", async () => {
    const { isolate } = cluster();
    const breakerPolicy = policy();
    const a = isolate();
    await trip(a, breakerPolicy);
    await a.sync();

    const late = isolate();
    late.breaker(TARGET, breakerPolicy);
    await late.sync();
    expect(await late.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
  });

  it("a probe's success in one isolate closes the breaker everywhere", async () => {
    const { clock, isolate } = cluster();
    const breakerPolicy = policy();
    const a = isolate();
    const b = isolate();
    await trip(a, breakerPolicy);
    await a.sync();
    b.breaker(TARGET, breakerPolicy);
    await b.sync();

    clock.now += 5_000;
    expect(await a.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: true, permit: "cluster" });
    a.record(TARGET, "success", 30, true);
    await a.sync();
    clock.now += 1_000;
    await b.sync();
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });
  });
});

describe("cluster-wide probe permits", () => {
  it.each([1, 2])("admits exactly %i probe(s) across three isolates", async (halfOpenProbes) => {
    const { clock, isolate } = cluster();
    const breakerPolicy = policy({ halfOpenProbes });
    const isolates = [isolate(), isolate(), isolate()];
    await trip(isolates[0]!, breakerPolicy);
    await isolates[0]!.sync();
    for (const other of isolates.slice(1)) {
      other.breaker(TARGET, breakerPolicy);
      await other.sync();
    }

    clock.now += 5_000;
    const answers = [];
    for (let round = 0; round < 2; round++) {
      for (const registry of isolates) answers.push(await registry.acquire(TARGET, breakerPolicy));
    }
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(halfOpenProbes);
    expect(answers.filter((answer) => answer.allowed && answer.permit === "cluster")).toHaveLength(halfOpenProbes);
  });

  it("a failed probe re-opens everywhere with a doubled cooldown, and the next half-open gets fresh permits", async () => {
    const { clock, isolate } = cluster();
    const breakerPolicy = policy();
    const a = isolate();
    const b = isolate();
    await trip(a, breakerPolicy);
    await a.sync();
    b.breaker(TARGET, breakerPolicy);
    await b.sync();

    clock.now += 5_000;
    expect(await a.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: true, probe: true });
    expect(await b.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
    a.record(TARGET, "failure", 30, true);
    await a.sync();
    clock.now += 1_000;
    await b.sync();
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: false, retryInMs: 9_000 });

    clock.now += 9_000;
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: true, permit: "cluster" });
    expect(await a.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
  });

  it("a stale isolate in half-open adopts the newer decision from the store instead of probing", async () => {
    const { clock, isolate } = cluster();
    const breakerPolicy = policy();
    const a = isolate();
    const b = isolate();
    await trip(a, breakerPolicy);
    await a.sync();
    b.breaker(TARGET, breakerPolicy);
    await b.sync();

    clock.now += 5_000;
    await a.acquire(TARGET, breakerPolicy);
    a.record(TARGET, "success", 30, true);
    await a.sync(); // the store now says closed (version 2); b has not synced and still thinks open
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });
    expect(b.snapshots()[TARGET]).toMatchObject({ state: "closed", version: 2 });
  });
});

describe("versioned writes", () => {
  it("a stale isolate cannot overwrite a newer decision, and adopts it instead", async () => {
    const { keyPrefix, clock, isolate } = cluster();
    const breakerPolicy = policy();
    const a = isolate();
    await trip(a, breakerPolicy); // version 1: open
    await a.sync();
    clock.now += 5_000;
    await a.acquire(TARGET, breakerPolicy);
    a.record(TARGET, "success", 30, true); // version 2: closed
    await a.sync();

    const stale = isolate(); // never synced: its own trip is version 1
    await trip(stale, breakerPolicy);
    await stale.sync();
    expect(await direct.hgetall(`${keyPrefix}breaker:${TARGET}`)).toMatchObject({ state: "closed", version: "2" });
    expect(await stale.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });

    // having caught up, its next trip is version 3 and does win
    await trip(stale, breakerPolicy);
    await stale.sync();
    expect(await direct.hgetall(`${keyPrefix}breaker:${TARGET}`)).toMatchObject({ state: "open", version: "3" });
    clock.now += 1_000;
    await a.sync();
    expect(await a.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
  });

  it("on a version tie the later openUntil wins in the store", async () => {
    const { keyPrefix, clock, isolate } = cluster();
    const breakerPolicy = policy();
    const early = isolate();
    const late = isolate();
    await trip(early, breakerPolicy);
    clock.now += 2_000;
    await trip(late, breakerPolicy);
    await late.sync();
    await early.sync();
    expect(await direct.hget(`${keyPrefix}breaker:${TARGET}`, "openUntil")).toBe(String(T0 + 7_000));
    expect(early.snapshots()[TARGET]).toMatchObject({ openUntil: T0 + 7_000, version: 1 });
  });
});

describe("store unavailable", () => {
  let hung: Server;
  let hungUrl: string;
  beforeAll(async () => {
    hung = createServer(() => {
      /* accepts every request and never answers */
    });
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hung.closeAllConnections();
    await new Promise<void>((resolve) => hung.close(() => resolve()));
  });

  it("a store that never answers: acquire decides locally within storeTimeoutMs and says so; sync does not throw", async () => {
    const store = new Redis({ url: hungUrl, token, retry: false, enableTelemetry: false });
    const { clock, logLines, isolate } = cluster({ store, storeTimeoutMs: 100, syncTimeoutMs: 200 });
    const breakerPolicy = policy();
    const registry = isolate();
    await trip(registry, breakerPolicy);

    let started = performance.now();
    await expect(registry.sync()).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(200 + 150);

    clock.now += 5_000;
    started = performance.now();
    expect(await registry.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: true, permit: "local" });
    expect(performance.now() - started).toBeLessThan(100 + 100);
    expect(logLines.some((line) => line.includes("probe permit unavailable"))).toBe(true);
    // the local decision still limits probes in this isolate
    expect(await registry.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
  });

  it("a refused connection: acquire answers at once from local state and sync does not throw", async () => {
    const store = new Redis({ url: `http://127.0.0.1:${await closedPort()}`, token, retry: false, enableTelemetry: false });
    const { clock, logLines, isolate } = cluster({ store, storeTimeoutMs: 150 });
    const breakerPolicy = policy();
    const registry = isolate();
    await trip(registry, breakerPolicy);
    await expect(registry.sync()).resolves.toBeUndefined();
    expect(logLines.some((line) => line.includes("breaker sync failed"))).toBe(true);

    clock.now += 5_000;
    const started = performance.now();
    expect(await registry.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: true, permit: "local" });
    expect(performance.now() - started).toBeLessThan(150 + 100);
  });

  it("keeps an unsent trip and pushes it once the store is back", async () => {
    const refused = new Redis({ url: `http://127.0.0.1:${await closedPort()}`, token, retry: false, enableTelemetry: false });
    let backend: BreakerStore = refused;
    const switchable: BreakerStore = { eval: (script, keys, args) => backend.eval(script, keys, args) };
    const { clock, isolate } = cluster({ store: switchable });
    const breakerPolicy = policy();
    const a = isolate();
    await trip(a, breakerPolicy);
    await a.sync(); // fails: the trip stays pending

    backend = redis;
    await a.sync(); // the store just failed: waits for the interval before trying again
    const b = isolate();
    b.breaker(TARGET, breakerPolicy);
    await b.sync();
    expect(await b.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });

    clock.now += 1_000;
    await a.sync();
    clock.now += 1_000;
    await b.sync();
    expect(await b.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: false });
  });
});

describe("hot path", () => {
  it("does no I/O while closed or open, one call per half-open acquire, and syncs only when due", async () => {
    const store = counting(redis);
    const { clock, isolate } = cluster({ store });
    const breakerPolicy = policy();
    const registry = isolate();
    for (let i = 0; i < 50; i++) {
      expect(await registry.acquire(TARGET, breakerPolicy)).toEqual({ allowed: true, probe: false });
      registry.record(TARGET, "success", 15, false);
    }
    expect(store.calls).toBe(0);

    await registry.sync(); // first sync of a new target: pulls at once
    expect(store.calls).toBe(1);
    await registry.sync();
    expect(store.calls).toBe(1);

    await trip(registry, breakerPolicy);
    for (let i = 0; i < 20; i++) expect((await registry.acquire(TARGET, breakerPolicy)).allowed).toBe(false);
    expect(store.calls).toBe(1);
    await registry.sync(); // a trip to push: goes out at once
    expect(store.calls).toBe(2);

    clock.now += 5_000;
    expect(await registry.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: true, probe: true });
    expect(store.calls).toBe(3);
  });

  it("remembers a refused permit and does not ask again until it expires", async () => {
    const store = counting(redis);
    const { clock, isolate } = cluster({ store });
    const breakerPolicy = policy();
    const a = isolate();
    const b = isolate();
    await trip(a, breakerPolicy);
    await a.sync();
    b.breaker(TARGET, breakerPolicy);
    await b.sync();

    clock.now += 5_000;
    expect(await a.acquire(TARGET, breakerPolicy)).toMatchObject({ allowed: true, probe: true });
    const before = store.calls;
    const refused = await b.acquire(TARGET, breakerPolicy);
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.allowed === false && refused.retryInMs).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect((await b.acquire(TARGET, breakerPolicy)).allowed).toBe(false);
    expect(store.calls).toBe(before + 1);
  });
});
