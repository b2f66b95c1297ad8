// The Redis bridge under blocking commands and outages: a blocked BLPOP must not hold up other
// requests, an abandoned blocking request must free its Redis connection, and with Redis down the
// bridge answers quickly with a JSON error and recovers once Redis is back. The outage uses a
// private redis-server on a spare port; the shared redis-server is never touched.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisBridge, type RedisBridge } from "../../../dev/redis-bridge/server";
import { closedPort, pollUntil, startHarness, type BridgeHarness } from "./harness";

let harness: BridgeHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

const post = (parts: unknown[], signal?: AbortSignal) =>
  fetch(`${harness.bridge.url}/`, {
    method: "POST",
    body: JSON.stringify(parts),
    headers: { authorization: `Bearer ${harness.token}` },
    signal,
  });

/** True while one of this run's bridge connections is blocked in BLPOP. */
async function bridgeBlockedInBlpop(): Promise<boolean> {
  const clients = String(await harness.direct.client("LIST")).split("\n");
  return clients.some((line) => line.includes(`name=${harness.connectionName} `) && line.includes("cmd=blpop"));
}

describe("blocking commands", () => {
  it("serves other requests while a BLPOP waits, then delivers the pushed value to it", async () => {
    const queue = harness.key("blocking-queue");
    const blocked = post(["BLPOP", queue, 10]);
    expect(await pollUntil(bridgeBlockedInBlpop, 2_000)).toBe(true);

    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      const response = await post(["INCR", harness.key("while-blocked")]);
      expect(await response.json()).toEqual({ result: i + 1 });
    }
    expect(performance.now() - started).toBeLessThan(1_000);

    await harness.direct.rpush(queue, "job-1");
    expect(await (await blocked).json()).toEqual({ result: [queue, "job-1"] });
  });

  it("closes the Redis connection of an abandoned blocking request so it cannot steal later items", async () => {
    const queue = harness.key("abandoned-queue");
    const abandoned = new AbortController();
    const request = post(["BLPOP", queue, 0], abandoned.signal).catch((error: unknown) => error);
    expect(await pollUntil(bridgeBlockedInBlpop, 2_000)).toBe(true);

    abandoned.abort();
    await request;
    expect(await pollUntil(async () => !(await bridgeBlockedInBlpop()), 2_000)).toBe(true);
    await harness.direct.rpush(queue, "still-here");
    expect(await harness.direct.lrange(queue, 0, -1)).toEqual(["still-here"]);
  });
});

describe("Redis unavailable", () => {
  let port: number;
  let bridge: RedisBridge;
  let privateRedis: ChildProcess | undefined;
  const token = "outage-token";
  const get = () =>
    fetch(`${bridge.url}/`, { method: "POST", body: JSON.stringify(["GET", "outage:probe"]), headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    port = await closedPort();
    bridge = await startRedisBridge({ port: 0, token, redisUrl: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    privateRedis?.kill();
    await bridge?.close();
  });

  it("answers 503 with a JSON error quickly, and the client rejects", async () => {
    const started = performance.now();
    const response = await get();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^ERR Redis is unavailable/) });
    const transaction = await fetch(`${bridge.url}/multi-exec`, {
      method: "POST",
      body: JSON.stringify([["INCR", "outage:probe"]]),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(transaction.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(1_000);

    const client = new Redis({ url: bridge.url, token, enableTelemetry: false, retry: false });
    await expect(client.get("outage:probe")).rejects.toThrow(/Redis is unavailable/);
  });

  it.skipIf(!existsSync("/usr/bin/redis-server") && !process.env.REDIS_SERVER_BIN)(
    "works again once Redis is back, and fails fast again when it goes away",
    async () => {
      privateRedis = spawn(process.env.REDIS_SERVER_BIN ?? "redis-server", [
        "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      ], { stdio: "ignore" });
      expect(await pollUntil(async () => (await get()).status === 200, 10_000, 50)).toBe(true);

      const client = new Redis({ url: bridge.url, token, enableTelemetry: false });
      expect(await client.multi().set("outage:probe", "back").get("outage:probe").exec()).toEqual(["OK", "back"]);

      privateRedis.kill();
      expect(await pollUntil(async () => (await get()).status === 503, 5_000, 50)).toBe(true);
    },
  );
});
