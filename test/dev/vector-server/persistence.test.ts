// Persistence: data written through the client survives a restart on the same dataDir (vectors,
// metadata, data, namespaces, range order); writes are debounced to disk without waiting for close,
// close() flushes what is pending, and a dataDir of another dimension is refused at start.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SNAPSHOT_FILE } from "../../../dev/vector-server/persistence";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import { randomNamespace, randomVector, seededRandom } from "./fixtures";

const TOKEN = "persistence-test-token";
const DIMENSION = 32;
const random = seededRandom(3);
let dataDir: string;
const running: VectorServer[] = [];

async function start(debounceMs: number): Promise<{ server: VectorServer; index: Index }> {
  const server = await startVectorServer({ port: 0, token: TOKEN, dataDir, dimension: DIMENSION, persistDebounceMs: debounceMs });
  running.push(server);
  return { server, index: new Index({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false }) };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met before the deadline");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "vector-persist-"));
});

afterAll(async () => {
  await Promise.all(running.map((server) => server.close()));
  await rm(dataDir, { recursive: true, force: true });
});

describe("persistence", () => {
  const nsName = randomNamespace("persist");
  const records = Array.from({ length: 30 }, (_, i) => ({
    id: `p-${i}`,
    vector: randomVector(random, DIMENSION).map(Math.fround),
    metadata: { i, tags: ["x", `t${i % 3}`], nested: { even: i % 2 === 0 } },
    data: `record number ${i}`,
  }));

  it("writes a snapshot soon after a change, without waiting for close", async () => {
    const { index } = await start(10);
    await index.namespace(nsName).upsert(records);
    await index.namespace(nsName).delete(["p-5"]);
    await index.namespace("doomed").upsert({ id: "x", vector: randomVector(random, DIMENSION) });
    await index.deleteNamespace("doomed");
    await waitFor(async () => (await readdir(dataDir)).includes(SNAPSHOT_FILE));
  });

  it("restores vectors, metadata, data, namespaces and range order on a new server", async () => {
    await running.pop()!.close();
    const { index } = await start(10);
    const ns = index.namespace(nsName);
    const [restored] = await ns.fetch(["p-7"], { includeMetadata: true, includeVectors: true, includeData: true });
    expect(restored).toEqual({ id: "p-7", vector: expect.any(Array), metadata: records[7]!.metadata, data: "record number 7" });
    expect(restored!.vector!.map(Math.fround)).toEqual(records[7]!.vector);
    expect(await ns.fetch(["p-5"])).toEqual([null]);
    expect(await index.listNamespaces()).toEqual(["", nsName]);
    expect((await index.info()).namespaces[nsName]?.vectorCount).toBe(29);
    const [top] = await ns.query({ vector: records[12]!.vector, topK: 1, filter: "nested.even = true AND tags CONTAINS 't0'" });
    expect(top).toEqual({ id: "p-12", score: expect.closeTo(1, 6) });

    await ns.upsert({ id: "after-restart", vector: randomVector(random, DIMENSION) });
    const page = await ns.range({ cursor: 0, limit: 100 });
    expect(page.vectors.map((v) => v.id)).toEqual([...records.filter((r) => r.id !== "p-5").map((r) => r.id), "after-restart"]);
  });

  it("flushes pending writes on close and leaves no temp files", async () => {
    await running.pop()!.close();
    const { index } = await start(60_000);
    await index.namespace(nsName).update({ id: "p-0", metadata: { flushed: true } });
    await running.pop()!.close();
    expect(await readdir(dataDir)).toEqual([SNAPSHOT_FILE]);
    const { index: reopened } = await start(10);
    expect((await reopened.namespace(nsName).fetch(["p-0"], { includeMetadata: true }))[0]?.metadata).toEqual({ flushed: true });
  });

  it("refuses to start on a dataDir holding an index of another dimension", async () => {
    await expect(startVectorServer({ port: 0, token: TOKEN, dataDir, dimension: DIMENSION * 2 })).rejects.toThrow(
      /holds a 32-dim COSINE index, but the server was started with dimension 64/,
    );
  });
});
