// Score normalisation per similarity function, checked numerically against hand computation
// (upstash.com/docs/vector/features/similarityfunctions): COSINE (1 + cos) / 2,
// EUCLIDEAN 1 / (1 + squared distance), DOT_PRODUCT (1 + dot) / 2 — each on its own server.
import { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import type { SimilarityFunction } from "../../../dev/vector-server/similarity";
import { cosine, dot, randomNamespace, randomVector, seededRandom, squaredDistance, unitVector } from "./fixtures";

const TOKEN = "scores-test-token";
const DIMENSION = 16;

const cases: { similarity: SimilarityFunction; score: (q: number[], v: number[]) => number; vectors: (random: () => number) => number[] }[] = [
  { similarity: "COSINE", score: (q, v) => (1 + cosine(q, v)) / 2, vectors: (random) => randomVector(random, DIMENSION) },
  { similarity: "EUCLIDEAN", score: (q, v) => 1 / (1 + squaredDistance(q, v)), vectors: (random) => randomVector(random, DIMENSION).map((x) => x / 4) },
  { similarity: "DOT_PRODUCT", score: (q, v) => (1 + dot(q, v)) / 2, vectors: (random) => unitVector(random, DIMENSION) },
];

describe.each(cases)("$similarity index", ({ similarity, score, vectors }) => {
  let server: VectorServer;
  let ns: ReturnType<Index["namespace"]>;
  const random = seededRandom(similarity.length);

  beforeAll(async () => {
    server = await startVectorServer({ port: 0, token: TOKEN, dimension: DIMENSION, similarity });
    ns = new Index({ url: server.url, token: TOKEN, enableTelemetry: false, retry: false }).namespace(randomNamespace(similarity));
  });

  afterAll(async () => {
    await ns?.reset().catch(() => undefined);
    await server?.close();
  });

  it("reports its similarity function and scores every match as the documented formula", async () => {
    expect(await new Index({ url: server.url, token: TOKEN, enableTelemetry: false }).info()).toMatchObject({ similarityFunction: similarity, dimension: DIMENSION });
    // Stored vectors are float32, so compare against float32-rounded inputs.
    const stored = Array.from({ length: 12 }, (_, i) => ({ id: `v-${i}`, vector: vectors(random).map(Math.fround) }));
    await ns.upsert(stored);
    const query = vectors(random);
    const results = await ns.query({ vector: query, topK: stored.length });
    const expected = stored.map((s) => ({ id: s.id, score: score(query, s.vector) })).sort((a, b) => b.score - a.score);
    expect(results.map((r) => r.id)).toEqual(expected.map((e) => e.id));
    results.forEach((r, i) => {
      expect(r.score).toBeCloseTo(expected[i]!.score, 9);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    });
  });

  it("scores an identical vector at the formula's maximum", async () => {
    const v = vectors(random).map(Math.fround);
    await ns.upsert({ id: "self", vector: v });
    const [top] = await ns.query({ vector: v, topK: 1 });
    expect(top?.id).toBe("self");
    expect(top?.score).toBeCloseTo(score(v, v), 9);
  });
});
