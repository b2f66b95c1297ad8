// Shapes records the way Upstash returns them (`{id, score?, vector?, metadata?, data?}`, optional
// parts only when asked for and present) and checks what callers send: vector dimension, dense-only,
// and whether the built-in embedding model can serve `data` for this index.
import { EMBEDDING_DIMENSIONS, EMBEDDING_MODEL, embed } from "../embedder";
import { VectorError, badRequest, notSupportedLocally } from "./errors";
import { compileFilter, type Metadata, type MetadataPredicate } from "./filter";
import { FilterSyntaxError } from "./filter-parser";
import type { NamespaceStore } from "./store";

export interface IncludeFlags {
  includeMetadata?: boolean | undefined;
  includeVectors?: boolean | undefined;
  includeData?: boolean | undefined;
}

export interface WireRecord {
  id: string;
  score?: number;
  vector?: number[];
  metadata?: Metadata;
  data?: string;
}

/** The shortest decimal that reads back as the same float32, so 0.1 comes back as 0.1. */
function float32ToNumber(value: number): number {
  for (let precision = 6; precision < 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

export function toWireRecord(store: NamespaceStore, slot: number, include: IncludeFlags, score?: number): WireRecord {
  const record: WireRecord = { id: store.idAt(slot) };
  if (score !== undefined) record.score = score;
  if (include.includeVectors) record.vector = Array.from(store.vectorAt(slot), float32ToNumber);
  const metadata = store.metadataAt(slot);
  if (include.includeMetadata && metadata !== undefined) record.metadata = metadata;
  const data = store.dataAt(slot);
  if (include.includeData && data !== undefined) record.data = data;
  return record;
}

/** Upstash answers a wrong dimension with 422 "Invalid vector dimension: 2, expected: 256". */
export function checkDimension(vector: readonly number[], dimension: number): readonly number[] {
  if (vector.length !== dimension) {
    throw new VectorError(422, `Invalid vector dimension: ${vector.length}, expected: ${dimension}`);
  }
  return vector;
}

/** Rejects sparse vectors: the local server models a dense index only. */
export function requireDense(item: { sparseVector?: unknown }): void {
  if (item.sparseVector !== undefined) throw notSupportedLocally("sparseVector (sparse and hybrid indexes)");
}

/** The dense vector of an item that must carry one. */
export function requireVector(item: { vector?: number[] | undefined; sparseVector?: unknown }, dimension: number, what: string): readonly number[] {
  requireDense(item);
  if (!item.vector) throw badRequest(`${what} needs a vector`);
  return checkDimension(item.vector, dimension);
}

export const canEmbed = (dimension: number): boolean => dimension === EMBEDDING_DIMENSIONS;

/** Embeds texts with the built-in model, if this index's dimension matches it. */
export async function embedForIndex(texts: string[], dimension: number): Promise<number[][]> {
  if (!canEmbed(dimension)) {
    throw badRequest(
      `Embedding data is not available for this index: the local server embeds with ${EMBEDDING_MODEL} ` +
        `(${EMBEDDING_DIMENSIONS} dimensions) but the index has dimension ${dimension}`,
    );
  }
  return embed(texts);
}

/** Compiles a request's filter (undefined = no filter), turning syntax errors into 400s. */
export function compileFilterOrThrow(filter: string | undefined): MetadataPredicate | undefined {
  try {
    return compileFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw badRequest(error.message);
    throw error;
  }
}
