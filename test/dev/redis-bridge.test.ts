// The Upstash Redis REST bridge seen through the real clients: @upstash/redis (with its defaults:
// base64 responses, auto-pipelining, automatic deserialisation, and with those switched off) and
// @upstash/ratelimit, against a bridge on a free port in front of the shared redis-server.
import { Ratelimit } from "@upstash/ratelimit";
import { Redis, type RedisConfigNodejs } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type BridgeHarness } from "./redis-bridge/harness";

let harness: BridgeHarness;
const client = (options: Partial<RedisConfigNodejs> = {}) =>
  new Redis({ url: harness.bridge.url, token: harness.token, enableTelemetry: false, ...options });

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

const clientVariants: { variant: string; options: Partial<RedisConfigNodejs> }[] = [
  { variant: "defaults (base64 responses, auto-pipelining)", options: {} },
  { variant: "one request per command", options: { enableAutoPipelining: false } },
  { variant: "UTF-8 responses", options: { responseEncoding: false } },
];

describe.each(clientVariants)("@upstash/redis with $variant", ({ variant, options }) => {
  const key = (name: string) => harness.key(`${variant.split(" ")[0]}:${name}`);

  it("stores and reads strings, counters and expiries", async () => {
    const redis = client(options);
    expect(await redis.set(key("greeting"), "hello world")).toBe("OK");
    expect(await redis.get(key("greeting"))).toBe("hello world");
    expect(await redis.get(key("missing"))).toBeNull();
    expect(await redis.incr(key("counter"))).toBe(1);
    expect(await redis.incrby(key("counter"), 41)).toBe(42);
    expect(await redis.get(key("counter"))).toBe(42);
    expect(await redis.expire(key("counter"), 120)).toBe(1);
    const ttl = await redis.ttl(key("counter"));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await redis.ttl(key("greeting"))).toBe(-1);
  });

  it("round-trips unicode, binary-ish text, the literal value OK and JSON objects", async () => {
    const redis = client(options);
    const unicode = "héllo wörld — 日本語 🚀";
    const binaryish = "\u0000\u0001\u00ff\u007f line\nbreak \"quoted\" \\ back";
    const profile = { name: "Ada", tags: ["math", "engines"], nested: { ok: true, n: 1.5 } };
    await redis.set(key("unicode"), unicode);
    await redis.set(key("binaryish"), binaryish);
    await redis.set(key("ok-literal"), "OK");
    await redis.set(key("profile"), profile);
    expect(await redis.get(key("unicode"))).toBe(unicode);
    expect(await redis.get(key("binaryish"))).toBe(binaryish);
    expect(await redis.get(key("ok-literal"))).toBe("OK");
    expect(await redis.get(key("profile"))).toEqual(profile);
    expect(await redis.mget(key("unicode"), key("missing"), key("profile"))).toEqual([unicode, null, profile]);
  });

  it("handles hashes and lists", async () => {
    const redis = client(options);
    expect(await redis.hset(key("user"), { name: "Grace", visits: 3, city: "Zürich" })).toBe(3);
    expect(await redis.hget(key("user"), "city")).toBe("Zürich");
    expect(await redis.hincrby(key("user"), "visits", 2)).toBe(5);
    expect(await redis.hgetall(key("user"))).toEqual({ name: "Grace", visits: 5, city: "Zürich" });
    expect(await redis.rpush(key("queue"), "a", "b", "ç")).toBe(3);
    expect(await redis.lrange(key("queue"), 0, -1)).toEqual(["a", "b", "ç"]);
    expect(await redis.lpop(key("queue"))).toBe("a");
    expect(await redis.llen(key("queue"))).toBe(2);
  });

  it("handles sorted sets with scores", async () => {
    const redis = client(options);
    await redis.zadd(key("board"), { score: 3, member: "carol" }, { score: 1.5, member: "alice" }, { score: 2, member: "bob" });
    expect(await redis.zrange(key("board"), 0, -1)).toEqual(["alice", "bob", "carol"]);
    expect(await redis.zrange(key("board"), 0, -1, { withScores: true })).toEqual(["alice", 1.5, "bob", 2, "carol", 3]);
    expect(await redis.zscore(key("board"), "alice")).toBe(1.5);
    expect(await redis.zrank(key("board"), "carol")).toBe(2);
  });

  it("rejects a command that Redis refuses with Redis's error message", async () => {
    const redis = client(options);
    await redis.set(key("not-a-number"), "abc");
    await expect(redis.incr(key("not-a-number"))).rejects.toThrow(/ERR value is not an integer/);
  });
});

describe("streams through @upstash/redis", () => {
  it("adds, reads with a consumer group (blocking), acknowledges and reports pending entries", async () => {
    const redis = client();
    const stream = harness.key("events");
    await redis.xgroup(stream, { type: "CREATE", group: "workers", id: "$", options: { MKSTREAM: true } });
    const firstId = await redis.xadd(stream, "*", { job: "resize", size: "large" });
    const secondId = await redis.xadd(stream, "*", { job: "crop" });
    expect(firstId).toMatch(/^\d+-\d+$/);

    const read = await redis.xreadgroup("workers", "w1", stream, ">", { count: 10, blockMS: 1000 });
    expect(read).toEqual([[stream, [[firstId, ["job", "resize", "size", "large"]], [secondId, ["job", "crop"]]]]]);

    expect(await redis.xack(stream, "workers", firstId)).toBe(1);
    const pending = await redis.xpending(stream, "workers", "-", "+", 10);
    expect(pending).toHaveLength(1);
    expect((pending[0] as unknown[])[0]).toBe(secondId);

    const [, claimed] = await redis.xautoclaim(stream, "workers", "w2", 0, "0-0", { count: 10 });
    expect(claimed).toEqual([[secondId, ["job", "crop"]]]);

    const empty = await redis.xreadgroup("workers", "w1", stream, ">", { count: 1, blockMS: 50 });
    expect(empty).toBeNull();
  });
});

describe("scripts through @upstash/redis", () => {
  const script = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), tonumber(ARGV[2]) * 2}";

  it("runs EVAL, SCRIPT LOAD + EVALSHA and createScript", async () => {
    const redis = client();
    const target = harness.key("scripted");
    expect(await redis.eval(script, [target], ["from-eval", 21])).toEqual(["from-eval", 42]);

    const sha = await redis.scriptLoad(script);
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [target], ["from-evalsha", 5])).toEqual(["from-evalsha", 10]);

    const created = redis.createScript<[string, number]>(script);
    expect(await created.exec([target], ["from-script", "4"])).toEqual(["from-script", 8]);
    expect(await redis.get(target)).toBe("from-script");
  });

  it("reports NOSCRIPT for an unknown sha so clients can fall back to EVAL", async () => {
    const redis = client();
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });
});

describe("pipelines and transactions through @upstash/redis", () => {
  it("runs a pipeline in order and reports a failing command without losing the others", async () => {
    const redis = client();
    const counter = harness.key("pipe-counter");
    const text = harness.key("pipe-text");
    const results = await redis.pipeline().set(counter, 1).incr(counter).set(text, "abc").incr(text).get(counter).exec({ keepErrors: true });
    expect(results.map((entry) => entry.result)).toEqual(["OK", 2, "OK", undefined, 2]);
    expect(results[3]?.error).toMatch(/ERR value is not an integer/);

    await expect(redis.pipeline().incr(text).get(counter).exec()).rejects.toThrow(/Command 1 \[ incr \] failed/);
  });

  it("runs multi() as one transaction; a runtime error fails only its own command", async () => {
    const redis = client();
    const balance = harness.key("balance");
    const label = harness.key("label");
    expect(await redis.multi().set(balance, 10).decrby(balance, 3).get(balance).exec()).toEqual(["OK", 7, 7]);

    const results = await redis.multi().set(label, "x").incr(label).set(balance, 100).exec({ keepErrors: true });
    expect(results[1]?.error).toMatch(/ERR value is not an integer/);
    expect(await redis.get(balance)).toBe(100);
  });

  it("discards a whole transaction when Redis refuses to queue one of its commands", async () => {
    const redis = client();
    const untouched = harness.key("untouched");
    // JSON.GET is an Upstash extension that plain redis-server does not know: refused at queue time.
    const transaction = redis.multi().set(untouched, "should not be written").json.get(harness.key("doc"));
    await expect(transaction.exec()).rejects.toThrow(/EXECABORT.*unknown command/);
    expect(await redis.exists(untouched)).toBe(0);
  });
});

describe("authentication through @upstash/redis", () => {
  it("rejects a client with a wrong token", async () => {
    const intruder = new Redis({ url: harness.bridge.url, token: "wrong-token", enableTelemetry: false, retry: false });
    await expect(intruder.get(harness.key("anything"))).rejects.toThrow(/Unauthorized/);
  });
});

describe("@upstash/ratelimit through the bridge", () => {
  it("allows exactly 3 of 5 calls for one identifier with slidingWindow(3, '10 s')", async () => {
    const limiter = new Ratelimit({
      redis: client(),
      limiter: Ratelimit.slidingWindow(3, "10 s"),
      prefix: harness.key("ratelimit"),
      ephemeralCache: false,
    });
    const outcomes = [];
    for (let call = 0; call < 5; call++) outcomes.push(await limiter.limit("user-42"));
    expect(outcomes.map((outcome) => outcome.success)).toEqual([true, true, true, false, false]);
    expect(outcomes[2]?.remaining).toBe(0);
    expect((await limiter.limit("someone-else")).success).toBe(true);
  });
});
