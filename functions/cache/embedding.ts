// Query vectors for the semantic stage, from one configured source: Upstash Vector's built-in
// embedding (the text goes as `data`, no extra call), Workers AI (AI binding) or the gateway's
// embeddings RPC (GATEWAY binding). The index's dimension must match the chosen model.
import type { CacheEmbedding, EmbeddingsCallResult, EmbeddingsRequest, RpcContext } from "@llm-edge/shared";
import { z } from "zod";

/** What a vector query or upsert takes: the text for Upstash to embed, or a ready vector. */
export type QueryVector = { data: string } | { vector: number[] };

export interface Embedder {
  readonly provider: CacheEmbedding["provider"];
  /** Throws when the source fails; callers run it inside a budgeted step. */
  embed(text: string, call: { context: RpcContext; tenant: string }): Promise<QueryVector>;
}

/** The part of the Workers AI binding the cache uses. */
export interface WorkersAiBinding {
  run(model: string, input: { text: string[] }): Promise<unknown>;
}

/** The part of the gateway's RPC the cache uses. */
export interface GatewayEmbeddingsBinding {
  embeddings(context: RpcContext, input: { request: EmbeddingsRequest; tenant: string }): Promise<EmbeddingsCallResult>;
}

export interface EmbeddingBindings {
  AI?: WorkersAiBinding | undefined;
  GATEWAY?: GatewayEmbeddingsBinding | undefined;
}

const WorkersAiOutputSchema = z.object({ data: z.array(z.array(z.number())).min(1) });

function firstVector(vectors: readonly (readonly number[] | string)[] | undefined, source: string): number[] {
  const vector = vectors?.[0];
  if (!Array.isArray(vector) || vector.length === 0) throw new Error(`${source} returned no float embedding`);
  return [...vector];
}

/**
 * The embedder for a setting. A missing binding is not an error here: the first lookup reports
 * `embedding_unavailable` (and the log says which binding), so a config slip never breaks requests.
 */
export function createEmbedder(setting: CacheEmbedding, bindings: EmbeddingBindings): Embedder {
  switch (setting.provider) {
    case "upstash":
      return { provider: "upstash", embed: async (text) => ({ data: text }) };
    case "workers-ai":
      return {
        provider: "workers-ai",
        async embed(text) {
          if (!bindings.AI) throw new Error("embedding provider workers-ai needs an AI binding on the cache Worker");
          const output = WorkersAiOutputSchema.parse(await bindings.AI.run(setting.model, { text: [text] }));
          return { vector: firstVector(output.data, "Workers AI") };
        },
      };
    case "gateway":
      return {
        provider: "gateway",
        async embed(text, call) {
          if (!bindings.GATEWAY) throw new Error("embedding provider gateway needs the GATEWAY service binding on the cache Worker");
          const result = await bindings.GATEWAY.embeddings(call.context, { request: { model: setting.model, input: text }, tenant: call.tenant });
          if (!result.ok) throw new Error(`gateway embeddings failed: ${result.error.error.message}`);
          return { vector: firstVector(result.response.data.map((item) => item.embedding), "the gateway") };
        },
      };
  }
}
