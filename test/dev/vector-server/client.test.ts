// The real @upstash/vector client against the local server: upsert/query with Upstash's cosine score,
// include flags, fetch, delete (ids/prefix/filter), range to the end, update, reset, info, namespaces,
// queryMany and resumable queries. One server (temp dataDir) and one random namespace per run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index, type RangeResult } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import { cosine, randomNamespace, randomVector, seededRandom } from "./fixtures";

const TOKEN = "client-test-token";
const DIMENSION = 512;
let server: VectorServer;
let dataDir: string;
let index: Index;
let ns: ReturnType<Index["namespace"]>;
let nsName: string;
const random = seededRandom(42);
const vec = () => randomVector(random, DIMENSION);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "vector-client-"));
  server = await startVectorServer({ port: 0, token: TOKEN, dataDir });
  index = new Index({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false });
  nsName = randomNamespace("client");
  ns = index.namespace(nsName);
});

afterAll(async () => {
  await index?.deleteNamespace(nsName).catch(() => undefined);
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("upsert and query", () => {
  it("returns the topK nearest with score (1 + cos) / 2, best first", async () => {
    const stored = Array.from({ length: 20 }, (_, i) => ({ id: `q-${i}`, vector: vec() }));
    expect(await ns.upsert(stored)).toBe("Success");
    const query = vec();
    const results = await ns.query({ vector: query, topK: 5 });
    const expected = stored
      .map(({ id, vector }) => ({ id, score: (1 + cosine(query, vector)) / 2 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 5);
    expect(results.map((r) => r.id)).toEqual(expected.map((e) => e.id));
    results.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 5));
    const self = await ns.query({ vector: stored[3]!.vector, topK: 1 });
    expect(self[0]).toEqual({ id: "q-3", score: expect.closeTo(1, 6) });
  });

  it("replaces a record on re-upsert and accepts numeric ids (returned as strings)", async () => {
    const v = vec();
    await ns.upsert({ id: 7, vector: v, metadata: { version: 1 } });
    await ns.upsert({ id: 7, vector: v, metadata: { version: 2 } });
    const [hit] = await ns.query({ vector: v, topK: 1, includeMetadata: true });
    expect(hit).toMatchObject({ id: "7", metadata: { version: 2 } });
  });

  it("includes metadata, vectors and data only when asked", async () => {
    const vector = Array.from({ length: DIMENSION }, (_, i) => (i % 4) * 0.25 - 0.5);
    await ns.upsert({ id: "inc-1", vector, metadata: { kind: "include" }, data: "raw text" });
    const [bare] = await ns.query({ vector, topK: 1 });
    expect(Object.keys(bare!).sort()).toEqual(["id", "score"]);
    const [full] = await ns.query({ vector, topK: 1, includeMetadata: true, includeVectors: true, includeData: true });
    expect(full).toEqual({ id: "inc-1", score: expect.closeTo(1, 6), vector, metadata: { kind: "include" }, data: "raw text" });
  });

  it("answers queryMany with one result list per query", async () => {
    const [a, b] = [vec(), vec()];
    await ns.upsert([{ id: "many-a", vector: a }, { id: "many-b", vector: b }]);
    const results = await index.queryMany([{ vector: a, topK: 1 }, { vector: b, topK: 2 }], { namespace: nsName });
    expect(results.map((list) => list.length)).toEqual([1, 2]);
    expect(results.map((list) => list[0]!.id)).toEqual(["many-a", "many-b"]);
    const single = await index.queryMany([{ vector: b, topK: 1 }], { namespace: nsName });
    expect(single).toEqual([[{ id: "many-b", score: expect.closeTo(1, 6) }]]);
  });

  it("pages a resumable query and ends it", async () => {
    const query = vec();
    const everything = await ns.query({ vector: query, topK: 1000 });
    const { result, fetchNext, stop } = await ns.resumableQuery({ vector: query, topK: 2, maxIdle: 60 });
    const next = await fetchNext(3);
    expect([...result, ...next].map((r) => r.id)).toEqual(everything.slice(0, 5).map((r) => r.id));
    expect(await stop()).toBe("Success");
  });
});

describe("fetch and delete", () => {
  it("fetches by ids (null for unknown, in request order) and by prefix", async () => {
    await ns.upsert([
      { id: "f-1", vector: vec(), metadata: { n: 1 } },
      { id: "f-2", vector: vec(), metadata: { n: 2 } },
      { id: "g-1", vector: vec() },
    ]);
    const byIds = await ns.fetch(["f-2", "nope", "f-1"], { includeMetadata: true });
    expect(byIds).toEqual([{ id: "f-2", metadata: { n: 2 } }, null, { id: "f-1", metadata: { n: 1 } }]);
    const byPrefix = await ns.fetch({ prefix: "f-" });
    expect(byPrefix.map((r) => r?.id)).toEqual(["f-1", "f-2"]);
  });

  it("deletes by id, ids, prefix and filter, counting what was deleted", async () => {
    await ns.upsert(["d-1", "d-2", "d-3", "d-4", "e-1", "e-2"].map((id, i) => ({ id, vector: vec(), metadata: { i } })));
    expect(await ns.delete("d-1")).toEqual({ deleted: 1 });
    expect(await ns.delete(["d-2", "missing"])).toEqual({ deleted: 1 });
    expect(await ns.delete({ prefix: "d-" })).toEqual({ deleted: 2 });
    expect(await ns.delete({ filter: "i = 5" })).toEqual({ deleted: 1 });
    expect((await ns.fetch(["d-3", "e-1", "e-2"])).map((r) => r?.id ?? null)).toEqual([null, "e-1", null]);
  });
});

describe("range", () => {
  it("walks every record once, in insertion order, until nextCursor is empty", async () => {
    const rangeNs = index.namespace(randomNamespace("range"));
    const ids = Array.from({ length: 23 }, (_, i) => `r-${String(i).padStart(2, "0")}`);
    await rangeNs.upsert(ids.map((id) => ({ id, vector: vec(), metadata: { id } })));
    const seen: string[] = [];
    let cursor: string | number = 0;
    let pages = 0;
    do {
      const page: RangeResult = await rangeNs.range({ cursor, limit: 10, includeMetadata: true });
      page.vectors.forEach((v) => expect(v.metadata).toEqual({ id: v.id }));
      seen.push(...page.vectors.map((v) => v.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== "");
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    const prefixed = await rangeNs.range({ cursor: 0, limit: 100, prefix: "r-1" });
    expect(prefixed).toEqual({ nextCursor: "", vectors: ids.filter((id) => id.startsWith("r-1")).map((id) => ({ id })) });
    await rangeNs.reset();
  });
});

describe("update", () => {
  it("overwrites or patches metadata, replaces the vector, and reports unknown ids", async () => {
    const v = vec();
    await ns.upsert({ id: "u-1", vector: v, metadata: { a: 1, nested: { x: 1, y: 2 }, drop: true } });
    expect(await ns.update({ id: "u-1", metadata: { nested: { y: 3 }, drop: null, b: 2 }, metadataUpdateMode: "PATCH" })).toEqual({ updated: 1 });
    expect((await ns.fetch(["u-1"], { includeMetadata: true }))[0]?.metadata).toEqual({ a: 1, nested: { x: 1, y: 3 }, b: 2 });
    await ns.update({ id: "u-1", metadata: { only: "this" } });
    expect((await ns.fetch(["u-1"], { includeMetadata: true }))[0]?.metadata).toEqual({ only: "this" });
    const w = vec();
    await ns.update({ id: "u-1", vector: w });
    expect((await ns.query({ vector: w, topK: 1 }))[0]).toEqual({ id: "u-1", score: expect.closeTo(1, 6) });
    expect(await ns.update({ id: "no-such-id", metadata: { a: 1 } })).toEqual({ updated: 0 });
  });
});

describe("namespaces, info and reset", () => {
  it("counts vectors per namespace, lists, resets and deletes namespaces", async () => {
    const name = randomNamespace("info");
    const other = index.namespace(name);
    await other.upsert([1, 2, 3].map((id) => ({ id, vector: vec() })));
    const info = await index.info();
    expect(info).toMatchObject({ dimension: DIMENSION, similarityFunction: "COSINE", pendingVectorCount: 0 });
    expect(info.namespaces[name]).toEqual({ vectorCount: 3, pendingVectorCount: 0 });
    expect(info.vectorCount).toBe(Object.values(info.namespaces).reduce((sum, n) => sum + n.vectorCount, 0));
    expect(info.indexSize).toBeGreaterThanOrEqual(info.vectorCount * DIMENSION * 4);
    expect(await index.listNamespaces()).toEqual(expect.arrayContaining(["", name, nsName]));

    expect(await other.reset()).toBe("Success");
    expect((await index.info()).namespaces[name]?.vectorCount).toBe(0);
    expect(await index.deleteNamespace(name)).toBe("Success");
    expect(await index.listNamespaces()).not.toContain(name);
    await expect(index.deleteNamespace(name)).rejects.toThrow(`Namespace ${name} for the index local does not exist`);
    await expect(index.deleteNamespace("")).rejects.toThrow("The default namespace cannot be deleted");
  });

  it("resets every namespace with reset({ all: true })", async () => {
    await index.upsert({ id: "default-ns", vector: vec() });
    expect((await index.info()).vectorCount).toBeGreaterThan(1);
    expect(await index.reset({ all: true })).toBe("Success");
    const info = await index.info();
    expect(info.vectorCount).toBe(0);
    expect(await index.listNamespaces()).toEqual([""]);
  });
});
