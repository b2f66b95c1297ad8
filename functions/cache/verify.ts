// The hit verifier: the second stage after vector similarity. Similar embeddings do not mean the
// same question ("5 km" vs "50 km", "in Turkey" vs "in Nepal", "acne" vs "acne scars"), so a
// candidate is rejected when the two queries differ in numbers, named entities (or their order),
// negation, grammatical person ("my" vs "your"), or rare content words, or share too little of
// their IDF-weighted content (the cross-check).
import type { CacheVerifier } from "@llm-edge/shared";
import { mentions, queryFeatures, type QueryFeatures } from "./text";

export type VerifierCheck = "numbers" | "entities" | "negation" | "rare_words" | "overlap" | "persons";

export type Verdict = { ok: true } | { ok: false; check: VerifierCheck; detail: string };

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

/** The first word of `from` (among `words`) that `other` does not mention. */
function firstUnmatched(words: Iterable<string>, other: QueryFeatures): string | undefined {
  for (const word of words) if (!mentions(other, word)) return word;
  return undefined;
}

/** IDF mass of the content words of `from` that `other` mentions, and the total. */
function weightedShare(from: QueryFeatures, other: QueryFeatures): { matched: number; total: number } {
  let matched = 0;
  let total = 0;
  for (const word of from.content) {
    total += word.idf;
    if (mentions(other, word.stem)) matched += word.idf;
  }
  return { matched, total };
}

/** Whether the entities both queries name come in the same order ("Poles dislike Russians" vs "Russians dislike Poles"). */
function sameOrder(a: string[], b: string[]): boolean {
  const shared = a.filter((entity) => b.includes(entity));
  const inB = b.filter((entity) => shared.includes(entity));
  return shared.every((entity, i) => entity === inB[i]);
}

function checkPair(settings: CacheVerifier, a: QueryFeatures, b: QueryFeatures): Verdict {
  if (settings.numbers && !sameSet(a.numbers, b.numbers)) {
    return { ok: false, check: "numbers", detail: `${[...a.numbers].join(",") || "none"} vs ${[...b.numbers].join(",") || "none"}` };
  }
  if (settings.negation && a.negated !== b.negated) return { ok: false, check: "negation", detail: a.negated ? "first negated" : "second negated" };
  if (settings.persons && !sameSet(a.persons, b.persons)) {
    return { ok: false, check: "persons", detail: `${[...a.persons].join(",") || "none"} vs ${[...b.persons].join(",") || "none"}` };
  }
  if (settings.entities) {
    const missing = firstUnmatched(a.entities, b) ?? firstUnmatched(b.entities, a);
    if (missing !== undefined) return { ok: false, check: "entities", detail: missing };
    if (!sameOrder(a.entityOrder, b.entityOrder)) return { ok: false, check: "entities", detail: "order" };
  }
  if (settings.rareWordIdf > 0) {
    const rare = (features: QueryFeatures) => features.content.filter((word) => word.idf >= settings.rareWordIdf).map((word) => word.stem);
    const missing = firstUnmatched(rare(a), b) ?? firstUnmatched(rare(b), a);
    if (missing !== undefined) return { ok: false, check: "rare_words", detail: missing };
  }
  if (settings.minWeightedOverlap > 0) {
    const forward = weightedShare(a, b);
    const backward = weightedShare(b, a);
    const total = forward.total + backward.total;
    const overlap = total === 0 ? 1 : (forward.matched + backward.matched) / total;
    if (overlap < settings.minWeightedOverlap) return { ok: false, check: "overlap", detail: overlap.toFixed(2) };
  }
  return { ok: true };
}

/**
 * The verifier for one query: decides whether a cached entry stored for `cachedQuery` may answer
 * `query` (both the raw last user messages). The query's features are computed once, on the first
 * candidate, however many candidates it is asked about. Symmetric; every check can be switched off
 * in config. With `enabled: false` every candidate passes.
 */
export function verifierFor(settings: CacheVerifier, query: string): (cachedQuery: string) => Verdict {
  if (!settings.enabled) return () => ({ ok: true });
  let features: QueryFeatures | undefined;
  return (cachedQuery) => checkPair(settings, (features ??= queryFeatures(query)), queryFeatures(cachedQuery));
}

/** One verdict for one pair: `verifierFor(settings, query)(cachedQuery)`. */
export function verifyCandidate(settings: CacheVerifier, query: string, cachedQuery: string): Verdict {
  return verifierFor(settings, query)(cachedQuery);
}
