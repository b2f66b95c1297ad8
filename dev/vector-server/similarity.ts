// Exact (brute-force) nearest-neighbour search over a namespace's packed Float32 vectors, with
// Upstash's normalised scores (https://upstash.com/docs/vector/features/similarityfunctions):
//   COSINE      (1 + cosine_similarity(v1, v2)) / 2
//   EUCLIDEAN   1 / (1 + squared_distance(v1, v2))
//   DOT_PRODUCT (1 + dot_product(v1, v2)) / 2
export const SIMILARITY_FUNCTIONS = ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"] as const;
export type SimilarityFunction = (typeof SIMILARITY_FUNCTIONS)[number];

/** Read-only view of a namespace's vectors: row `slot` is vectors[slot*dimension ...]. */
export interface PackedVectors {
  readonly vectors: Float32Array;
  readonly norms: Float64Array;
  readonly size: number;
  readonly dimension: number;
}

export interface ScoredSlot {
  slot: number;
  score: number;
}

function dot(vectors: Float32Array, base: number, query: Float64Array, dimension: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 3 < dimension; j += 4) {
    s0 += vectors[base + j]! * query[j]!;
    s1 += vectors[base + j + 1]! * query[j + 1]!;
    s2 += vectors[base + j + 2]! * query[j + 2]!;
    s3 += vectors[base + j + 3]! * query[j + 3]!;
  }
  for (; j < dimension; j++) s0 += vectors[base + j]! * query[j]!;
  return s0 + s1 + s2 + s3;
}

function squaredDistance(vectors: Float32Array, base: number, query: Float64Array, dimension: number): number {
  let sum = 0;
  for (let j = 0; j < dimension; j++) {
    const d = vectors[base + j]! - query[j]!;
    sum += d * d;
  }
  return sum;
}

export function euclideanNorm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < values.length; j++) sum += values[j]! * values[j]!;
  return Math.sqrt(sum);
}

type SlotScorer = (slot: number) => number;

function scorerFor(packed: PackedVectors, query: Float64Array, similarity: SimilarityFunction): SlotScorer {
  const { vectors, norms, dimension } = packed;
  switch (similarity) {
    case "COSINE": {
      const queryNorm = euclideanNorm(query);
      return (slot) => {
        const denominator = queryNorm * norms[slot]!;
        const cosine = denominator === 0 ? 0 : dot(vectors, slot * dimension, query, dimension) / denominator;
        return (1 + Math.max(-1, Math.min(1, cosine))) / 2;
      };
    }
    case "EUCLIDEAN":
      return (slot) => 1 / (1 + squaredDistance(vectors, slot * dimension, query, dimension));
    case "DOT_PRODUCT":
      return (slot) => (1 + dot(vectors, slot * dimension, query, dimension)) / 2;
  }
}

/** The k best-scoring slots (optionally only those `accept` admits), best first. */
export function searchTopK(
  packed: PackedVectors,
  query: Float64Array,
  k: number,
  similarity: SimilarityFunction,
  accept?: (slot: number) => boolean,
): ScoredSlot[] {
  const capacity = Math.min(k, packed.size);
  if (capacity <= 0) return [];
  const score = scorerFor(packed, query, similarity);
  const heap = new MinHeap(capacity);
  for (let slot = 0; slot < packed.size; slot++) {
    if (accept && !accept(slot)) continue;
    heap.offer(slot, score(slot));
  }
  return heap.drainDescending();
}

/** Fixed-capacity min-heap keeping the highest scores seen. */
class MinHeap {
  private readonly scores: Float64Array;
  private readonly slots: Int32Array;
  private length = 0;

  constructor(private readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  offer(slot: number, score: number): void {
    if (this.length < this.capacity) {
      this.scores[this.length] = score;
      this.slots[this.length] = slot;
      this.siftUp(this.length++);
    } else if (score > this.scores[0]!) {
      this.scores[0] = score;
      this.slots[0] = slot;
      this.siftDown(0);
    }
  }

  drainDescending(): ScoredSlot[] {
    const out: ScoredSlot[] = [];
    for (let i = 0; i < this.length; i++) out.push({ slot: this.slots[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }

  private swap(a: number, b: number): void {
    const score = this.scores[a]!;
    this.scores[a] = this.scores[b]!;
    this.scores[b] = score;
    const slot = this.slots[a]!;
    this.slots[a] = this.slots[b]!;
    this.slots[b] = slot;
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.scores[parent]! <= this.scores[index]!) return;
      this.swap(parent, index);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.length && this.scores[left]! < this.scores[smallest]!) smallest = left;
      if (right < this.length && this.scores[right]! < this.scores[smallest]!) smallest = right;
      if (smallest === index) return;
      this.swap(smallest, index);
      index = smallest;
    }
  }
}
