// zod schemas for the request bodies the @upstash/vector client (1.2.x) sends to each endpoint,
// and `parseBody`, which turns a validation failure into a 400 in Upstash's error shape.
// Ids may be numbers on the wire; they are stored and returned as strings, as Upstash does.
import { z } from "zod";
import { badRequest } from "./errors";

const id = z.union([z.string(), z.number()]).transform(String);
const ids = z.array(id);
const metadata = z.record(z.string(), z.unknown());
/** Checked with a plain loop: batches carry ~10^6 numbers, and per-element zod checks cost ~3x more. */
function isNumberArray(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const x of value) if (typeof x !== "number" || !Number.isFinite(x)) return false;
  return true;
}
const vector = z.custom<number[]>(isNumberArray, { message: "expected an array of finite numbers" });
const flag = z.boolean().optional();
const includes = { includeMetadata: flag, includeVectors: flag, includeData: flag };

export const upsertItemSchema = z.object({
  id,
  vector: vector.optional(),
  sparseVector: z.unknown().optional(),
  metadata: metadata.optional(),
  data: z.string().optional(),
});

export const upsertDataItemSchema = z.object({ id, data: z.string(), metadata: metadata.optional() });

export const querySchema = z.object({
  vector: vector.optional(),
  sparseVector: z.unknown().optional(),
  data: z.string().optional(),
  topK: z.number().int().positive().default(10),
  filter: z.string().optional(),
  queryMode: z.string().optional(),
  weightingStrategy: z.string().optional(),
  fusionAlgorithm: z.string().optional(),
  ...includes,
});
export type QueryRequest = z.infer<typeof querySchema>;

export const resumableStartSchema = querySchema.extend({ maxIdle: z.number().positive().optional() });
export const resumableNextSchema = z.object({ uuid: z.string(), additionalK: z.number().int().positive() });
export const resumableEndSchema = z.object({ uuid: z.string() });

/** fetch: `{ids | prefix, include…}`; a bare array of ids is accepted too. */
export const fetchSchema = z.preprocess(
  (body) => (Array.isArray(body) ? { ids: body } : body),
  z.object({ ids: ids.optional(), prefix: z.string().optional(), ...includes }),
);

/** delete: `{ids} | {prefix} | {filter}`; a bare id or array of ids is accepted too (REST docs). */
export const deleteSchema = z.preprocess(
  (body) => (Array.isArray(body) ? { ids: body } : typeof body === "string" || typeof body === "number" ? { ids: [body] } : body),
  z.object({ ids: ids.optional(), prefix: z.string().optional(), filter: z.string().optional() }),
);

export const rangeSchema = z.object({
  cursor: z.union([z.string(), z.number()]).transform(String),
  limit: z.number().int().positive(),
  prefix: z.string().optional(),
  ...includes,
});

export const updateSchema = z.object({
  id,
  vector: vector.optional(),
  sparseVector: z.unknown().optional(),
  data: z.string().optional(),
  metadata: metadata.optional(),
  metadataUpdateMode: z.enum(["PATCH", "OVERWRITE"]).optional(),
});

/** Validates a body that is one item or an array of items; `many` tells which it was. */
export function parseOneOrMany<T extends z.ZodType>(item: T, body: unknown): { items: z.output<T>[]; many: boolean } {
  if (Array.isArray(body)) return { items: parseBody(z.array(item), body), many: true };
  return { items: [parseBody(item, body)], many: false };
}

/** Validates a JSON body; throws a 400 VectorError listing what is wrong and where. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length ? issue.path.join(".") : "body";
    return `${where}: ${issue.message}`;
  });
  throw badRequest(`Invalid request body (${problems.join("; ")})`);
}
