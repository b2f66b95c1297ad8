// The semantic stage: query the tenant's namespace for the nearest entries of the same scope, then
// keep those above the threshold that pass the verifier and have not expired, best first.
// Upstash reports a normalised score, (1 + cos) / 2; the threshold is configured as cosine.
import type { CacheVerifier } from "@llm-edge/shared";
import { step, type Deadline, type StepResult } from "./budget";
import type { CacheDeps } from "./deps";
import type { QueryVector } from "./embedding";
import { VectorMetadataSchema, type VectorMetadata } from "./entry";
import { verifierFor, type Verdict } from "./verify";

/** Upstash's cosine score → cosine similarity. */
export const scoreToCosine = (score: number): number => 2 * score - 1;
/** Cosine similarity → Upstash's cosine score. */
export const cosineToScore = (cosine: number): number => (1 + cosine) / 2;

export interface Candidate {
  id: string;
  /** Cosine similarity to the query. */
  similarity: number;
  metadata: VectorMetadata;
}

export interface SearchResult {
  candidates: Candidate[];
  /** Vectors whose metadata is not ours or is broken: remove them. */
  invalid: string[];
}

/** Nearest `config.candidates` entries of this scope in the namespace, within the deadline. */
export async function searchCandidates(
  deps: CacheDeps,
  namespace: string,
  scope: string,
  queryVector: QueryVector,
  deadline: Deadline,
): Promise<StepResult<SearchResult>> {
  return step("vector", deadline, async () => {
    const results = await deps.vector.namespace(namespace).query({ ...queryVector, topK: deps.config.candidates, filter: `scope = '${scope}'`, includeMetadata: true });
    const found: SearchResult = { candidates: [], invalid: [] };
    for (const result of results) {
      const metadata = VectorMetadataSchema.safeParse(result.metadata);
      if (metadata.success) found.candidates.push({ id: String(result.id), similarity: scoreToCosine(result.score), metadata: metadata.data });
      else found.invalid.push(String(result.id));
    }
    return found;
  });
}

export interface Selection {
  /** Above the threshold, verified, not expired; best first. */
  accepted: Candidate[];
  /** Above the threshold but past expiresAt: remove them. */
  expired: Candidate[];
  /** Above the threshold, not expired, rejected by the verifier. */
  rejected: { candidate: Candidate; verdict: Exclude<Verdict, { ok: true }> }[];
}

/**
 * Sorts candidates into accepted / expired / rejected for a query, given the cosine threshold,
 * the verifier settings and the current time. Pure: the lookup, invalidation and the benchmark
 * all decide through this one function.
 */
export function selectCandidates(candidates: readonly Candidate[], query: string, threshold: number, verifier: CacheVerifier, now: number): Selection {
  const selection: Selection = { accepted: [], expired: [], rejected: [] };
  const ranked = [...candidates].sort((a, b) => b.similarity - a.similarity);
  const verify = verifierFor(verifier, query);
  for (const candidate of ranked) {
    if (candidate.similarity < threshold) continue;
    if (candidate.metadata.expiresAt <= now) {
      selection.expired.push(candidate);
      continue;
    }
    const verdict = verify(candidate.metadata.query);
    if (verdict.ok) selection.accepted.push(candidate);
    else selection.rejected.push({ candidate, verdict });
  }
  return selection;
}
