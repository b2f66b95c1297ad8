// Endpoints that change the index: upsert, upsert-data, update, delete, reset, delete-namespace.
// Inputs are validated completely before anything is written, so a bad batch changes nothing.
import type { CommandContext, CommandHandler } from "./context";
import { VectorError, badRequest } from "./errors";
import { isPlainObject, type Metadata } from "./filter";
import { canEmbed, checkDimension, compileFilterOrThrow, embedForIndex, requireDense, requireVector } from "./records";
import { deleteSchema, parseBody, parseOneOrMany, updateSchema, upsertDataItemSchema, upsertItemSchema } from "./schemas";
import type { NamespaceStore } from "./store";

const SUCCESS = "Success";

const upsert: CommandHandler = ({ index, namespace, body }) => {
  const { items } = parseOneOrMany(upsertItemSchema, body);
  const vectors = items.map((item) => requireVector(item, index.dimension, `upsert of id '${item.id}'`));
  if (items.length === 0) return SUCCESS;
  const store = index.namespaceForWrite(namespace);
  items.forEach((item, i) => store.upsert({ id: item.id, vector: vectors[i]!, metadata: item.metadata, data: item.data }));
  return SUCCESS;
};

const upsertData: CommandHandler = async ({ index, namespace, body }) => {
  const { items } = parseOneOrMany(upsertDataItemSchema, body);
  if (items.length === 0) return SUCCESS;
  const vectors = await embedForIndex(
    items.map((item) => item.data),
    index.dimension,
  );
  const store = index.namespaceForWrite(namespace);
  items.forEach((item, i) => store.upsert({ id: item.id, vector: vectors[i]!, metadata: item.metadata, data: item.data }));
  return SUCCESS;
};

/** RFC 7396 JSON Merge Patch, which Upstash applies for metadataUpdateMode PATCH. */
export function mergePatch(target: Metadata, patch: Metadata): Metadata {
  const result: Metadata = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = isPlainObject(value) ? mergePatch(isPlainObject(result[key]) ? result[key] : {}, value) : value;
  }
  return result;
}

const update: CommandHandler = async ({ index, namespace, body }) => {
  const request = parseBody(updateSchema, body);
  requireDense(request);
  if (!request.vector && request.data === undefined && !request.metadata) {
    throw badRequest("update needs at least one of vector, data or metadata");
  }
  const store = index.namespaceForRead(namespace);
  const slot = store?.slotOf(request.id);
  if (!store || slot === undefined) return { updated: 0 };
  const change: { vector?: readonly number[]; metadata?: Metadata | undefined; data?: string } = {};
  if (request.vector) change.vector = checkDimension(request.vector, index.dimension);
  if (request.data !== undefined) {
    change.data = request.data;
    // Like an index created with an embedding model: new data re-embeds the vector.
    if (canEmbed(index.dimension) && !request.vector) change.vector = (await embedForIndex([request.data], index.dimension))[0]!;
  }
  if (request.metadata) {
    change.metadata =
      request.metadataUpdateMode === "PATCH"
        ? mergePatch(store.metadataAt(slot) ?? {}, request.metadata)
        : request.metadata;
  }
  return { updated: store.update(request.id, change) ? 1 : 0 };
};

function idsMatching(store: NamespaceStore, accept: (slot: number) => boolean): string[] {
  const ids: string[] = [];
  for (let slot = 0; slot < store.size; slot++) if (accept(slot)) ids.push(store.idAt(slot));
  return ids;
}

const remove: CommandHandler = ({ index, namespace, body }) => {
  const request = parseBody(deleteSchema, body);
  const given = [request.ids, request.prefix, request.filter].filter((x) => x !== undefined).length;
  if (given !== 1) throw badRequest("delete needs exactly one of ids, prefix or filter");
  const predicate = request.filter !== undefined ? compileFilterOrThrow(request.filter) : undefined;
  if (request.filter !== undefined && !predicate) throw badRequest("delete by filter needs a non-empty filter");
  const store = index.namespaceForRead(namespace);
  if (!store) return { deleted: 0 };
  let targets: string[];
  if (request.ids) targets = request.ids;
  else if (request.prefix !== undefined) targets = idsMatching(store, (slot) => store.idAt(slot).startsWith(request.prefix!));
  else if (predicate) targets = idsMatching(store, (slot) => predicate(store.metadataAt(slot)));
  else targets = [];
  let deleted = 0;
  for (const id of new Set(targets)) if (store.remove(id)) deleted++;
  return { deleted };
};

const reset: CommandHandler = ({ index, namespace, searchParams }) => {
  if (searchParams.has("all")) index.resetAll();
  else index.namespaceForRead(namespace)?.clear();
  return SUCCESS;
};

const deleteNamespace: CommandHandler = ({ index, namespace }: CommandContext) => {
  if (namespace === "") throw badRequest("The default namespace cannot be deleted");
  if (!index.deleteNamespace(namespace)) {
    throw new VectorError(404, `Namespace ${namespace} for the index local does not exist`);
  }
  return SUCCESS;
};

export const writeCommands: Record<string, CommandHandler> = {
  upsert,
  "upsert-data": upsertData,
  update,
  delete: remove,
  reset,
  "delete-namespace": deleteNamespace,
};
