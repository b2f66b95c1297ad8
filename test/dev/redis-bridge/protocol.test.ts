// The Upstash REST wire protocol of the Redis bridge, checked with raw fetch: auth, command forms,
// base64 response encoding, pipeline/transaction envelopes, error statuses, size limits and the
// Lua shebang flags Upstash accepts but redis-server does not.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { base64, startHarness, type BridgeHarness } from "./harness";

let harness: BridgeHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.close();
});

const json = async (response: Response): Promise<unknown> => JSON.parse(await response.text());
const command = (parts: unknown[], headers: Record<string, string> = {}) =>
  harness.rest("/", { body: JSON.stringify(parts), headers });

describe("authentication", () => {
  it("answers 401 with a JSON error when the token is missing or wrong", async () => {
    const missing = await fetch(`${harness.bridge.url}/get/x`);
    expect(missing.status).toBe(401);
    expect(await json(missing)).toEqual({ error: "Unauthorized" });
    const wrong = await harness.rest("/get/x", { headers: { authorization: "Bearer not-the-token" } });
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toEqual({ error: "Unauthorized" });
  });

  it("accepts the token as the _token query parameter", async () => {
    const response = await fetch(`${harness.bridge.url}/echo/hi?_token=${harness.token}`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ result: "hi" });
  });
});

describe("command forms", () => {
  it("takes the command from the path, with a POST body and query parameters appended", async () => {
    const key = harness.key("path-form");
    expect(await json(await harness.rest(`/set/${encodeURIComponent(key)}/a%20b%2Fc`, { method: "GET" }))).toEqual({ result: "OK" });
    expect(await json(await harness.rest(`/get/${encodeURIComponent(key)}`, { method: "GET" }))).toEqual({ result: "a b/c" });

    const body = '{"raw": "json value"}';
    const posted = await harness.rest(`/set/${encodeURIComponent(key)}?EX=100`, { body });
    expect(await json(posted)).toEqual({ result: "OK" });
    expect(await harness.direct.get(key)).toBe(body);
    expect(await harness.direct.ttl(key)).toBeGreaterThan(90);
  });

  it("takes a JSON array body on POST /, converting numbers and booleans to strings", async () => {
    const key = harness.key("json-form");
    expect(await json(await command(["SET", key, 12.5]))).toEqual({ result: "OK" });
    expect(await json(await command(["INCRBYFLOAT", key, 1]))).toEqual({ result: "13.5" });
    expect(await json(await command(["SET", key, true]))).toEqual({ result: "OK" });
    expect(await harness.direct.get(key)).toBe("true");
  });

  it("answers a Redis error with HTTP 400 and Redis's message", async () => {
    const response = await command(["GET"]);
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
  });

  it("refuses connection-state commands that make no sense over HTTP", async () => {
    for (const name of ["MULTI", "SELECT", "SUBSCRIBE"]) {
      const response = await command([name, "1"]);
      expect(response.status).toBe(400);
      expect(await json(response)).toEqual({ error: expect.stringContaining("not available") });
    }
  });
});

describe("malformed requests", () => {
  it("answers bad JSON and a wrongly shaped command with 400 JSON errors", async () => {
    const badJson = await harness.rest("/", { body: '["SET", "k"' });
    expect(badJson.status).toBe(400);
    expect(await json(badJson)).toEqual({ error: expect.stringMatching(/^ERR .*JSON/) });

    const wrongShape = await harness.rest("/pipeline", { body: JSON.stringify([["SET", { nested: true }]]) });
    expect(wrongShape.status).toBe(400);
    expect(await json(wrongShape)).toEqual({ error: expect.stringMatching(/^ERR invalid command/) });

    const notAllowed = await harness.rest("/", { method: "DELETE" });
    expect(notAllowed.status).toBe(405);
  });

  it("accepts a 2 MiB value but answers 413 for a body above 10 MiB", async () => {
    const key = harness.key("big");
    const big = "x".repeat(2 * 1024 * 1024);
    expect(await json(await command(["SET", key, big]))).toEqual({ result: "OK" });
    expect(await harness.direct.strlen(key)).toBe(big.length);

    const tooBig = await command(["SET", key, "y".repeat(10 * 1024 * 1024 + 1)]);
    expect(tooBig.status).toBe(413);
    expect(await json(tooBig)).toEqual({ error: expect.stringContaining("max request size") });
  });
});

describe("Upstash-Encoding: base64", () => {
  it("encodes every string, also nested, keeps integers, nulls and a top-level OK as they are", async () => {
    const key = harness.key("b64");
    const list = harness.key("b64-list");
    const b64 = { "upstash-encoding": "base64" };
    expect(await json(await command(["SET", key, "héllo"], b64))).toEqual({ result: "OK" });
    expect(await json(await command(["GET", key], b64))).toEqual({ result: base64("héllo") });
    expect(await json(await command(["GET", key]))).toEqual({ result: "héllo" });
    expect(await json(await command(["STRLEN", key], b64))).toEqual({ result: 6 });
    expect(await json(await command(["GET", harness.key("nothing")], b64))).toEqual({ result: null });

    await harness.direct.rpush(list, "OK", "two");
    const pipeline = await harness.rest("/pipeline", {
      body: JSON.stringify([["LRANGE", list, 0, -1], ["SET", key, "v"], ["LLEN", list], ["INCR", list]]),
      headers: b64,
    });
    expect(await json(pipeline)).toEqual([
      { result: [base64("OK"), base64("two")] },
      { result: "OK" },
      { result: 2 },
      { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
    ]);
  });

  it("returns raw bytes intact with base64 and replaces invalid UTF-8 without it", async () => {
    const key = harness.key("binary");
    const bytes = Buffer.from([0xff, 0x00, 0x41, 0xc3]);
    await harness.direct.set(key, bytes);
    expect(await json(await command(["GET", key], { "upstash-encoding": "base64" }))).toEqual({ result: bytes.toString("base64") });
    expect(await json(await command(["GET", key]))).toEqual({ result: "\ufffd\u0000A\ufffd" });
  });
});

describe("pipelines and transactions", () => {
  it("answers a discarded transaction with one 400 error and applies none of it", async () => {
    const key = harness.key("tx-discarded");
    const response = await harness.rest("/multi-exec", { body: JSON.stringify([["SET", key, "1"], ["SET", key]]) });
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: expect.stringMatching(/^EXECABORT .*wrong number of arguments/) });
    expect(await harness.direct.exists(key)).toBe(0);
  });

  it("returns one envelope per command for a transaction with a runtime error", async () => {
    const key = harness.key("tx-runtime");
    const response = await harness.rest("/multi-exec", { body: JSON.stringify([["SET", key, "a"], ["INCR", key], ["APPEND", key, "b"]]) });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
      { result: 2 },
    ]);
  });
});

describe("Lua scripts with Upstash-only shebang flags", () => {
  it("loads a script flagged allow-key-locking and runs it by the sha of the original text", async () => {
    const script = "#!lua flags=allow-key-locking,no-writes\nreturn {ARGV[1], 7}";
    const originalSha = createHash("sha1").update(script).digest("hex");
    expect(await json(await command(["SCRIPT", "LOAD", script]))).toEqual({ result: originalSha });
    expect(await json(await command(["SCRIPT", "EXISTS", originalSha]))).toEqual({ result: [1] });
    expect(await json(await command(["EVALSHA", originalSha, 0, "hi"]))).toEqual({ result: ["hi", 7] });
    expect(await json(await command(["EVAL", script, 0, "there"]))).toEqual({ result: ["there", 7] });
  });
});
