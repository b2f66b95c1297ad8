// Endpoints that only read: query / query-data (one query or an array of them), fetch, range, info,
// list-namespaces. Search is exact; `range` walks insertion order and its cursor is the insertion
// sequence number of the next record ("0" to start, "" when there is nothing more).
import { EMBEDDING_MODEL } from "../embedder";
import type { CommandHandler } from "./context";
import { badRequest, notSupportedLocally } from "./errors";
import type { MetadataPredicate } from "./filter";
import { canEmbed, compileFilterOrThrow, embedForIndex, requireVector, toWireRecord, type WireRecord } from "./records";
import { fetchSchema, parseBody, parseOneOrMany, querySchema, rangeSchema, type QueryRequest } from "./schemas";
import { type ScoredSlot, searchTopK } from "./similarity";
import type { NamespaceStore, VectorIndex } from "./store";

/** The query vectors for a batch: embedded from `data` (query-data) or taken from `vector`. */
export async function queryVectors(items: QueryRequest[], index: VectorIndex, fromData: boolean): Promise<Float64Array[]> {
  for (const item of items) {
    if (item.queryMode !== undefined && item.queryMode !== "DENSE") throw notSupportedLocally(`queryMode ${item.queryMode}`);
  }
  if (!fromData) return items.map((item) => Float64Array.from(requireVector(item, index.dimension, "query")));
  const texts = items.map((item) => {
    if (item.data === undefined) throw badRequest("query-data needs data");
    return item.data;
  });
  return (await embedForIndex(texts, index.dimension)).map((vector) => Float64Array.from(vector));
}

/** Scores a namespace against a query vector; k = Infinity ranks everything. */
export function rank(
  store: NamespaceStore | undefined,
  index: VectorIndex,
  vector: Float64Array,
  k: number,
  predicate: MetadataPredicate | undefined,
): ScoredSlot[] {
  if (!store) return [];
  const accept = predicate && ((slot: number) => predicate(store.metadataAt(slot)));
  return searchTopK(store, vector, k, index.similarity, accept);
}

const query =
  (fromData: boolean): CommandHandler =>
  async ({ index, namespace, body }) => {
    const { items, many } = parseOneOrMany(querySchema, body);
    const predicates = items.map((item) => compileFilterOrThrow(item.filter));
    const vectors = await queryVectors(items, index, fromData);
    const store = index.namespaceForRead(namespace);
    const results = items.map((item, i): WireRecord[] =>
      rank(store, index, vectors[i]!, item.topK, predicates[i]).map(({ slot, score }) => toWireRecord(store!, slot, item, score)),
    );
    return many ? results : results[0];
  };

const fetch: CommandHandler = ({ index, namespace, body }) => {
  const request = parseBody(fetchSchema, body);
  if ((request.ids === undefined) === (request.prefix === undefined)) throw badRequest("fetch needs exactly one of ids or prefix");
  const store = index.namespaceForRead(namespace);
  if (request.ids) {
    return request.ids.map((id) => {
      const slot = store?.slotOf(id);
      return store && slot !== undefined ? toWireRecord(store, slot, request) : null;
    });
  }
  if (!store) return [];
  const prefix = request.prefix!;
  return store
    .slotsInOrder()
    .filter((slot) => store.idAt(slot).startsWith(prefix))
    .map((slot) => toWireRecord(store, slot, request));
}

function parseCursor(cursor: string): number {
  if (cursor === "") return 0;
  if (!/^\d+$/.test(cursor)) throw badRequest(`Invalid cursor '${cursor}': use "0" to start or the nextCursor of the previous range`);
  return Number(cursor);
}

const range: CommandHandler = ({ index, namespace, body }) => {
  const request = parseBody(rangeSchema, body);
  const from = parseCursor(request.cursor);
  const store = index.namespaceForRead(namespace);
  if (!store) return { nextCursor: "", vectors: [] };
  const order = store.slotsInOrder();
  const matches = (slot: number) => request.prefix === undefined || store.idAt(slot).startsWith(request.prefix);
  let position = lowerBound(order, from, (slot) => store.seqAt(slot));
  const vectors: WireRecord[] = [];
  for (; position < order.length && vectors.length < request.limit; position++) {
    const slot = order[position]!;
    if (matches(slot)) vectors.push(toWireRecord(store, slot, request));
  }
  while (position < order.length && !matches(order[position]!)) position++;
  const nextCursor = position < order.length ? String(store.seqAt(order[position]!)) : "";
  return { nextCursor, vectors };
};

/** First position whose key is >= target in an array sorted by key. */
function lowerBound(sorted: readonly number[], target: number, key: (item: number) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (key(sorted[middle]!) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

const info: CommandHandler = ({ index }) => {
  const namespaces: Record<string, { vectorCount: number; pendingVectorCount: number }> = {};
  let vectorCount = 0;
  let indexSize = 0;
  for (const [name, store] of index.entries()) {
    namespaces[name] = { vectorCount: store.size, pendingVectorCount: 0 };
    vectorCount += store.size;
    indexSize += store.size * index.dimension * Float32Array.BYTES_PER_ELEMENT;
  }
  const { dimension, similarity: similarityFunction } = index;
  return {
    vectorCount,
    pendingVectorCount: 0,
    indexSize,
    dimension,
    similarityFunction,
    denseIndex: { dimension, similarityFunction, ...(canEmbed(dimension) ? { embeddingModel: EMBEDDING_MODEL } : {}) },
    namespaces,
  };
};

export const readCommands: Record<string, CommandHandler> = {
  query: query(false),
  "query-data": query(true),
  fetch,
  range,
  info,
  "list-namespaces": ({ index }) => index.namespaceNames(),
};
