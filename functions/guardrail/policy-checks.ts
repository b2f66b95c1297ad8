// A policy's own word lists: DENY_LIST terms, forbidden TOPICs (keywords per topic) and COMPETITOR
// names, each matched as whole words, case-insensitively, by one regex per list compiled once per
// policy; plus PROFANITY when the policy enables it.
import type { GuardrailPolicy } from "@llm-edge/shared";
import { eachMatch, score } from "./recognizers/context";
import type { Candidate } from "./recognizers/types";
import { scanProfanity } from "./profanity";

export interface PolicyMatchers {
  denyList?: RegExp;
  topics: Array<{ name: string; regex: RegExp }>;
  competitors?: RegExp;
  profanity: boolean;
}

/** A regex matching any of the terms as whole words ("Acme Corp" also matches "acme  corp"). */
function termsRegex(terms: readonly string[]): RegExp | undefined {
  if (terms.length === 0) return undefined;
  const sources = [...new Set(terms)]
    .sort((a, b) => b.length - a.length)
    .map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+"));
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${sources.join("|")})(?![\\p{L}\\p{N}_])`, "giu");
}

/** Compiles a policy's lists; called once per policy object (see policy.ts). */
export function compilePolicyMatchers(policy: GuardrailPolicy): PolicyMatchers {
  return {
    denyList: termsRegex(policy.denyList),
    topics: Object.entries(policy.topics).flatMap(([name, keywords]) => {
      const regex = termsRegex(keywords);
      return regex ? [{ name, regex }] : [];
    }),
    competitors: termsRegex(policy.competitors),
    profanity: policy.profanity,
  };
}

/**
 * Appends policy findings. A topic scores 0.75 for one distinct keyword and 1 for two or more, so a
 * single ambiguous word can be told apart from a conversation that is clearly about the topic.
 */
export function scanPolicyLists(text: string, matchers: PolicyMatchers, out: Candidate[]): void {
  if (matchers.denyList) {
    eachMatch(matchers.denyList, text, (match) => out.push({ type: "DENY_LIST", start: match.index, end: match.index + match[0].length, score: 1, check: "policy", rule: "deny_list" }));
  }
  for (const topic of matchers.topics) {
    const hits: Array<{ start: number; end: number }> = [];
    const distinct = new Set<string>();
    eachMatch(topic.regex, text, (match) => {
      hits.push({ start: match.index, end: match.index + match[0].length });
      distinct.add(match[0].toLowerCase().replace(/\s+/g, " "));
    });
    const topicScore = score(0.5 + 0.25 * distinct.size);
    for (const hit of hits) out.push({ type: "TOPIC", ...hit, score: topicScore, check: "policy", rule: topic.name });
  }
  if (matchers.competitors) {
    eachMatch(matchers.competitors, text, (match) => out.push({ type: "COMPETITOR", start: match.index, end: match.index + match[0].length, score: 0.9, check: "policy", rule: "competitor" }));
  }
  if (matchers.profanity) scanProfanity(text, out);
}
