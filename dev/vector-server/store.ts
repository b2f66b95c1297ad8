// In-memory storage of the local Upstash Vector server: an index holds namespaces; each namespace
// packs its vectors into one growable Float32Array (row per slot) plus parallel arrays for ids,
// metadata, data and insertion sequence, with an id→slot map. Deletes swap the last row into the hole
// so searches stay one tight loop. Every mutation calls `onChange` (persistence hooks in there).
import type { Metadata } from "./filter";
import { euclideanNorm, type PackedVectors, type SimilarityFunction } from "./similarity";

export interface StoredRecord {
  id: string;
  vector: ArrayLike<number>;
  metadata?: Metadata | undefined;
  data?: string | undefined;
}

const INITIAL_CAPACITY = 64;

export class NamespaceStore implements PackedVectors {
  vectors: Float32Array;
  norms: Float64Array;
  size = 0;
  private ids: string[] = [];
  private metadata: (Metadata | undefined)[] = [];
  private data: (string | undefined)[] = [];
  private seqs: number[] = [];
  private readonly slotById = new Map<string, number>();
  private nextSeq = 0;
  private orderCache: number[] | undefined;

  constructor(
    readonly dimension: number,
    private readonly onChange: () => void,
  ) {
    this.vectors = new Float32Array(INITIAL_CAPACITY * dimension);
    this.norms = new Float64Array(INITIAL_CAPACITY);
  }

  /** Inserts or replaces a record (a replaced record keeps its place in range order). */
  upsert(record: StoredRecord): void {
    const existing = this.slotById.get(record.id);
    const slot = existing ?? this.size;
    if (existing === undefined) {
      this.ensureCapacity(this.size + 1);
      this.size++;
      this.slotById.set(record.id, slot);
      this.ids[slot] = record.id;
      this.seqs[slot] = this.nextSeq++;
      this.orderCache = undefined;
    }
    this.writeVector(slot, record.vector);
    this.metadata[slot] = record.metadata;
    this.data[slot] = record.data;
    this.onChange();
  }

  /** Changes parts of an existing record; returns false when the id is unknown. */
  update(id: string, change: { vector?: ArrayLike<number>; metadata?: Metadata | undefined; data?: string }): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    if (change.vector) this.writeVector(slot, change.vector);
    if ("metadata" in change) this.metadata[slot] = change.metadata;
    if (change.data !== undefined) this.data[slot] = change.data;
    this.onChange();
    return true;
  }

  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    const last = this.size - 1;
    if (slot !== last) {
      const d = this.dimension;
      this.vectors.copyWithin(slot * d, last * d, last * d + d);
      this.norms[slot] = this.norms[last]!;
      this.ids[slot] = this.ids[last]!;
      this.metadata[slot] = this.metadata[last];
      this.data[slot] = this.data[last];
      this.seqs[slot] = this.seqs[last]!;
      this.slotById.set(this.ids[slot]!, slot);
    }
    this.ids.length = this.metadata.length = this.data.length = this.seqs.length = last;
    this.slotById.delete(id);
    this.size = last;
    this.orderCache = undefined;
    this.onChange();
    return true;
  }

  clear(): void {
    this.size = 0;
    this.ids = [];
    this.metadata = [];
    this.data = [];
    this.seqs = [];
    this.slotById.clear();
    this.vectors = new Float32Array(INITIAL_CAPACITY * this.dimension);
    this.norms = new Float64Array(INITIAL_CAPACITY);
    this.orderCache = undefined;
    this.onChange();
  }

  slotOf(id: string): number | undefined {
    return this.slotById.get(id);
  }

  idAt(slot: number): string {
    return this.ids[slot]!;
  }

  metadataAt(slot: number): Metadata | undefined {
    return this.metadata[slot];
  }

  dataAt(slot: number): string | undefined {
    return this.data[slot];
  }

  seqAt(slot: number): number {
    return this.seqs[slot]!;
  }

  vectorAt(slot: number): Float32Array {
    return this.vectors.subarray(slot * this.dimension, (slot + 1) * this.dimension);
  }

  /** Slots in insertion order (the order `range` walks); cached until the set of ids changes. */
  slotsInOrder(): readonly number[] {
    this.orderCache ??= Array.from({ length: this.size }, (_, slot) => slot).sort((a, b) => this.seqs[a]! - this.seqs[b]!);
    return this.orderCache;
  }

  /** Everything needed to persist and restore this namespace. */
  snapshot(): { ids: string[]; seqs: number[]; metadata: (Metadata | null)[]; data: (string | null)[]; nextSeq: number; vectors: Float32Array } {
    return {
      ids: this.ids.slice(0, this.size),
      seqs: this.seqs.slice(0, this.size),
      metadata: this.metadata.slice(0, this.size).map((m) => m ?? null),
      data: this.data.slice(0, this.size).map((d) => d ?? null),
      nextSeq: this.nextSeq,
      vectors: this.vectors.slice(0, this.size * this.dimension),
    };
  }

  restore(snapshot: ReturnType<NamespaceStore["snapshot"]>): void {
    const count = snapshot.ids.length;
    this.ensureCapacity(count);
    this.vectors.set(snapshot.vectors.subarray(0, count * this.dimension));
    for (let slot = 0; slot < count; slot++) {
      this.slotById.set(snapshot.ids[slot]!, slot);
      this.norms[slot] = euclideanNorm(this.vectorAt(slot));
    }
    this.ids = snapshot.ids.slice();
    this.seqs = snapshot.seqs.slice();
    this.metadata = snapshot.metadata.map((m) => m ?? undefined);
    this.data = snapshot.data.map((d) => d ?? undefined);
    this.size = count;
    this.nextSeq = snapshot.nextSeq;
    this.orderCache = undefined;
  }

  private writeVector(slot: number, vector: ArrayLike<number>): void {
    this.vectors.set(vector, slot * this.dimension);
    this.norms[slot] = euclideanNorm(this.vectorAt(slot));
  }

  private ensureCapacity(rows: number): void {
    const capacity = this.norms.length;
    if (rows <= capacity) return;
    const next = Math.max(rows, capacity * 2);
    const vectors = new Float32Array(next * this.dimension);
    vectors.set(this.vectors);
    const norms = new Float64Array(next);
    norms.set(this.norms);
    this.vectors = vectors;
    this.norms = norms;
  }
}

/** All namespaces of one index. The default namespace "" always exists. */
export class VectorIndex {
  private readonly namespaces = new Map<string, NamespaceStore>();

  constructor(
    readonly dimension: number,
    readonly similarity: SimilarityFunction,
    private readonly onChange: () => void = () => {},
  ) {
    this.namespaces.set("", this.createNamespace());
  }

  /** The namespace, created on first write (namespaces are implicit in Upstash). */
  namespaceForWrite(name: string): NamespaceStore {
    let store = this.namespaces.get(name);
    if (!store) {
      store = this.createNamespace();
      this.namespaces.set(name, store);
    }
    return store;
  }

  namespaceForRead(name: string): NamespaceStore | undefined {
    return this.namespaces.get(name);
  }

  namespaceNames(): string[] {
    return [...this.namespaces.keys()];
  }

  entries(): [string, NamespaceStore][] {
    return [...this.namespaces.entries()];
  }

  /** Removes a non-default namespace; false when it does not exist. */
  deleteNamespace(name: string): boolean {
    if (name === "" || !this.namespaces.delete(name)) return false;
    this.onChange();
    return true;
  }

  /** Empties the default namespace and drops all others. */
  resetAll(): void {
    for (const name of this.namespaces.keys()) if (name !== "") this.namespaces.delete(name);
    this.namespaces.get("")!.clear();
  }

  private createNamespace(): NamespaceStore {
    return new NamespaceStore(this.dimension, this.onChange);
  }
}
