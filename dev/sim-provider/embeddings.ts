// OpenAI wire: POST /v1/embeddings with real USE-lite vectors from dev/embedder (512 dims), as float
// arrays or base64 little-endian float32 (what the openai SDK asks for by default).
import { z } from "zod";
import { EMBEDDING_DIMENSIONS, embed } from "../embedder";
import { countTokens } from "./content";
import { validationError } from "./errors";
import type { ModelRoute } from "./route";

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().optional(),
});

function toBase64(vector: number[]): string {
  const floats = new Float32Array(vector);
  const bytes = Buffer.alloc(floats.length * 4);
  floats.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString("base64");
}

export const embeddingsRoute: ModelRoute = {
  wire: "openai",
  prepare(body) {
    const parsed = embeddingsRequestSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: validationError("openai", parsed.error) };
    const request = parsed.data;
    if (request.dimensions !== undefined && request.dimensions !== EMBEDDING_DIMENSIONS) {
      return {
        ok: false,
        error: { status: 400, message: `The simulated embedding model only produces ${EMBEDDING_DIMENSIONS} dimensions.`, param: "dimensions" },
      };
    }
    const inputs = typeof request.input === "string" ? [request.input] : request.input;
    const base64 = request.encoding_format === "base64";
    return {
      ok: true,
      call: {
        async build({ invalidOutput }) {
          const vectors = invalidOutput ? inputs.map(() => []) : await embed(inputs);
          const data = vectors.map((vector, index) => ({
            object: "embedding",
            index,
            embedding: base64 ? toBase64(vector) : vector,
          }));
          const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
          return { kind: "json", body: { object: "list", data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
        },
      },
    };
  },
};
