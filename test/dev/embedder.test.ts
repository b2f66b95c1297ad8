import { describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSIONS, embed } from "../../dev/embedder";

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

describe("offline embedder", () => {
  it("returns unit-length 512-dim vectors that place paraphrases closer than unrelated text", async () => {
    const [a, b, c] = await embed(["How do I reset my password?", "How can I change my password?", "Best pizza in Naples"]);
    expect(a).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(cosine(a!, a!)).toBeCloseTo(1, 4);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.2);
  });
});
