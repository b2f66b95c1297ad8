// The simulated provider's /v1/embeddings: real 512-dim USE-lite vectors as float arrays or base64
// little-endian float32, model echoed, usage, and paraphrases closer than unrelated text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { postJson } from "./helpers";

interface EmbeddingList<T> {
  object: string;
  model: string;
  data: { object: string; index: number; embedding: T }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
};

const texts = ["How do I reset my password?", "How can I change my password?", "Best pizza in Naples"];

let sim: SimProvider;

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
  await postJson(`${sim.url}/v1/embeddings`, { model: "sim-embed", input: "warm up the model" });
});

afterAll(async () => {
  await sim.close();
});

describe("embeddings", () => {
  it("returns float vectors of dimension 512 that put paraphrases closer than unrelated text", async () => {
    const response = await postJson(`${sim.url}/v1/embeddings`, { model: "sim-embed", input: texts, encoding_format: "float" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as EmbeddingList<number[]>;
    expect(body.object).toBe("list");
    expect(body.model).toBe("sim-embed");
    expect(body.data.map((item) => [item.object, item.index])).toEqual([["embedding", 0], ["embedding", 1], ["embedding", 2]]);
    const [a, b, c] = body.data.map((item) => item.embedding);
    expect(a).toHaveLength(512);
    expect(cosine(a!, a!)).toBeCloseTo(1, 3);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.2);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);
  });

  it("returns base64 little-endian float32 that decodes to the same vector", async () => {
    const asFloat = (await (await postJson(`${sim.url}/v1/embeddings`, { model: "sim-embed", input: texts[0] })).json()) as EmbeddingList<number[]>;
    const asBase64 = (await (await postJson(`${sim.url}/v1/embeddings`, { model: "sim-embed", input: texts[0], encoding_format: "base64" })).json()) as EmbeddingList<string>;
    const bytes = Buffer.from(asBase64.data[0]?.embedding ?? "", "base64");
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toHaveLength(512);
    const expected = asFloat.data[0]?.embedding ?? [];
    expect(decoded.every((value, i) => Math.abs(value - (expected[i] ?? NaN)) < 1e-6)).toBe(true);
  });

  it("rejects a missing input with a 400 in OpenAI's error shape", async () => {
    const response = await postJson(`${sim.url}/v1/embeddings`, { model: "sim-embed" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string; param: string } }).error).toMatchObject({ type: "invalid_request_error", param: "input" });
  });
});
