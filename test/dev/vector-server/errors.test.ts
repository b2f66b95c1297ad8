// Errors in Upstash's wire shape `{"error", "status"}`: wrong token (401), wrong dimension (422, as
// Upstash documents), bad bodies and unsupported features (400) — seen by the client as thrown
// messages and, raw, as status codes. A rejected batch must leave the index unchanged.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import { randomNamespace, rawCall } from "./fixtures";

const TOKEN = "errors-test-token";
const DIMENSION = 4;
let server: VectorServer;
let dataDir: string;
let nsName: string;
let ns: ReturnType<Index["namespace"]>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "vector-errors-"));
  server = await startVectorServer({ port: 0, token: TOKEN, dataDir, dimension: DIMENSION });
  nsName = randomNamespace("errors");
  ns = new Index({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false }).namespace(nsName);
});

afterAll(async () => {
  await ns?.reset().catch(() => undefined);
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("authentication", () => {
  it("rejects a wrong or missing token with 401", async () => {
    const wrong = new Index({ url: server.url, token: "not-the-token", enableTelemetry: false, retry: false });
    await expect(wrong.info()).rejects.toThrow("Unauthorized: Invalid auth token");
    expect(await rawCall(server.url, "info", "nope", {})).toEqual({ status: 401, body: { error: "Unauthorized: Invalid auth token", status: 401 } });
    const missing = await fetch(`${server.url}/info`, { method: "POST" });
    expect(missing.status).toBe(401);
  });
});

describe("bad input", () => {
  it("rejects a vector of the wrong dimension, and the whole batch with it", async () => {
    const batch = [
      { id: "ok", vector: [1, 0, 0, 0] },
      { id: "short", vector: [1, 0] },
    ];
    await expect(ns.upsert(batch)).rejects.toThrow("Invalid vector dimension: 2, expected: 4");
    expect(await ns.fetch(["ok"])).toEqual([null]);
    await expect(ns.query({ vector: [1, 2, 3, 4, 5], topK: 1 })).rejects.toThrow("Invalid vector dimension: 5, expected: 4");
    const raw = await rawCall(server.url, `upsert/${nsName}`, TOKEN, { id: "x", vector: [1] });
    expect(raw).toEqual({ status: 422, body: { error: "Invalid vector dimension: 1, expected: 4", status: 422 } });
  });

  it("names the invalid field of a malformed body", async () => {
    const raw = await rawCall(server.url, `query/${nsName}`, TOKEN, { vector: [1, 0, 0, 0], topK: "ten" });
    expect(raw.status).toBe(400);
    expect(raw.body).toEqual({ error: expect.stringMatching(/^Invalid request body \(topK: .*number/), status: 400 });
    const range = await rawCall(server.url, `range/${nsName}`, TOKEN, { cursor: "abc", limit: 5 });
    expect(range.body).toMatchObject({ status: 400, error: expect.stringContaining("Invalid cursor 'abc'") });
  });

  it("answers invalid JSON and unknown commands with 400", async () => {
    const response = await fetch(`${server.url}/upsert`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "Request body is not valid JSON", status: 400 });
    expect(await rawCall(server.url, "explode", TOKEN, {})).toEqual({ status: 400, body: { error: "Unknown command 'explode'", status: 400 } });
  });

  it("says clearly what the local server does not support", async () => {
    await expect(ns.upsert({ id: "s", sparseVector: { indices: [1], values: [0.5] } })).rejects.toThrow(
      "sparseVector (sparse and hybrid indexes) is not supported by the local server",
    );
    await expect(ns.query({ data: "hello", topK: 1 })).rejects.toThrow(/Embedding data is not available for this index.*dimension 4/);
    const hybrid = await rawCall(server.url, `query/${nsName}`, TOKEN, { vector: [1, 0, 0, 0], topK: 1, queryMode: "SPARSE" });
    expect(hybrid).toEqual({ status: 400, body: { error: "queryMode SPARSE is not supported by the local server", status: 400 } });
  });

  it("requires exactly one of ids, prefix or filter to delete", async () => {
    const raw = await rawCall(server.url, `delete/${nsName}`, TOKEN, { ids: ["a"], prefix: "a" });
    expect(raw).toEqual({ status: 400, body: { error: "delete needs exactly one of ids, prefix or filter", status: 400 } });
  });
});
