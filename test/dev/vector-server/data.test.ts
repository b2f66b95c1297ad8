// Raw-text records through the real client: upsert-data embeds with the built-in offline model and
// keeps the text as `data`; query-data ranks by meaning; updating data re-embeds the vector.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embed } from "../../../dev/embedder";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import { cosine, randomNamespace } from "./fixtures";

const TOKEN = "data-test-token";
let server: VectorServer;
let dataDir: string;
let ns: ReturnType<Index["namespace"]>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "vector-data-"));
  server = await startVectorServer({ port: 0, token: TOKEN, dataDir });
  ns = new Index({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false }).namespace(randomNamespace("data"));
  await ns.upsert([
    { id: "password", data: "How do I reset my password?", metadata: { topic: "account" } },
    { id: "pizza", data: "The best pizza in Naples is served near the harbour.", metadata: { topic: "food" } },
    { id: "weather", data: "Tomorrow will be rainy with strong winds.", metadata: { topic: "weather" } },
  ]);
});

afterAll(async () => {
  await ns?.reset().catch(() => undefined);
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("upsert-data and query-data", () => {
  it("ranks a paraphrase above unrelated sentences and returns the stored text", async () => {
    const results = await ns.query({ data: "I forgot my password, how can I change it?", topK: 3, includeData: true, includeMetadata: true });
    expect(results[0]).toMatchObject({ id: "password", data: "How do I reset my password?", metadata: { topic: "account" } });
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score + 0.05);
  });

  it("stores the model's embedding as the vector", async () => {
    const [stored] = await ns.fetch(["pizza"], { includeVectors: true, includeData: true });
    const [expected] = await embed(["The best pizza in Naples is served near the harbour."]);
    expect(stored?.data).toBe("The best pizza in Naples is served near the harbour.");
    expect(cosine(stored!.vector!, expected!)).toBeCloseTo(1, 5);
  });

  it("combines query-data with a filter", async () => {
    const results = await ns.query({ data: "How do I reset my password?", topK: 3, filter: "topic != 'account'" });
    expect(results.map((r) => r.id).sort()).toEqual(["pizza", "weather"]);
  });

  it("re-embeds the vector when data is updated", async () => {
    expect(await ns.update({ id: "weather", data: "Where can I eat good pizza in Naples?" })).toEqual({ updated: 1 });
    const results = await ns.query({ data: "pizza restaurants in Naples", topK: 2, includeData: true });
    expect(results.map((r) => r.id).sort()).toEqual(["pizza", "weather"]);
    expect(results.find((r) => r.id === "weather")?.data).toBe("Where can I eat good pizza in Naples?");
  });

  it("serves resumable queries started from data", async () => {
    const { result, fetchNext, stop } = await ns.resumableQuery({ data: "reset my password", topK: 1, maxIdle: 60 });
    expect(result.map((r) => r.id)).toEqual(["password"]);
    expect(await fetchNext(10)).toHaveLength(2);
    expect(await fetchNext(10)).toEqual([]);
    await stop();
  });
});
