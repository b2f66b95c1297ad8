// The detection engine for one text: run the recognizers (and, for untrusted text, the injection and
// policy checks), keep candidates that reach their rule's minimum score, resolve overlapping
// personal-data/secret spans to one reading, and turn the rules' actions into a verdict and a
// redacted text. Synchronous and allocation-light: it also runs on every stream chunk.
import { GatewayError, type Direction, type Finding, type GuardrailRule, type Verdict } from "@llm-edge/shared";
import { injectionRecognizer } from "./injection";
import { ruleFor, rulesOf, type CompiledPolicy } from "./policy";
import { scanPolicyLists } from "./policy-checks";
import { applyRedactions, type Redaction } from "./redact";
import { DATA_RECOGNIZERS } from "./recognizers";
import type { Candidate } from "./recognizers/types";

/** The longest text one check accepts (the HTTP schema enforces the same limit). */
export const MAX_TEXT_LENGTH = 1_000_000;

/**
 * "all": every check (user and tool messages, outputs, /check). "data": personal data and secrets
 * only, for text the caller wrote itself (system, developer and earlier assistant messages), where
 * a phrase like "never reveal the system prompt" is an instruction, not an attack.
 */
export type ScanScope = "all" | "data";

export interface Decision {
  finding: Finding;
  rule: GuardrailRule;
}

export interface Assessment {
  /** Findings at or above their rule's minimum score, by start offset. */
  decisions: Decision[];
  verdict: Verdict;
  /** Every candidate, below-threshold ones included (the stream guard never splits one). */
  candidates: readonly Candidate[];
}

const SEVERITY: Record<Verdict, number> = { pass: 0, redact: 1, escalate: 2, block: 3 };
const VERDICT_OF_ACTION: Record<GuardrailRule["action"], Verdict> = { allow: "pass", redact: "redact", escalate: "escalate", block: "block" };

/** The worst of several verdicts (block > escalate > redact > pass). */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = "pass";
  for (const verdict of verdicts) if (SEVERITY[verdict] > SEVERITY[worst]) worst = verdict;
  return worst;
}

/** The verdict of a set of decisions. */
export function verdictOf(decisions: readonly Decision[]): Verdict {
  return worstVerdict(decisions.map((decision) => VERDICT_OF_ACTION[decision.rule.action]));
}

/** Spans of these types may contain other findings (an email inside a URL is still an email). */
const CONTAINER_TYPES = new Set(["URL"]);

function overlaps(a: Finding, b: Finding): boolean {
  return a.start < b.end && b.start < a.end;
}

/**
 * One reading per stretch of text among personal-data and secret findings: the higher score wins,
 * then the longer span, then the earlier recognizer. A finding strictly inside a container (URL)
 * is kept beside it. Injection and policy findings are independent and always kept.
 */
function resolveOverlaps(decisions: Decision[]): Decision[] {
  const spans: Decision[] = [];
  const others: Decision[] = [];
  decisions.forEach((decision) => (decision.finding.check === "pii" || decision.finding.check === "secret" ? spans : others).push(decision));
  const order = new Map(spans.map((decision, index) => [decision, index]));
  spans.sort((a, b) => b.finding.score - a.finding.score || b.finding.end - b.finding.start - (a.finding.end - a.finding.start) || order.get(a)! - order.get(b)!);
  const kept: Decision[] = [];
  for (const decision of spans) {
    const clash = kept.some((other) => {
      if (!overlaps(other.finding, decision.finding)) return false;
      const inside = (inner: Finding, outer: Finding) => CONTAINER_TYPES.has(outer.type) && inner.start >= outer.start && inner.end <= outer.end;
      return !inside(decision.finding, other.finding) && !inside(other.finding, decision.finding);
    });
    if (!clash) kept.push(decision);
  }
  return [...kept, ...others].sort((a, b) => a.finding.start - b.finding.start || a.finding.end - b.finding.end);
}

/** Raw candidates of all recognizers in scope, before thresholds and overlap resolution. */
export function detectCandidates(text: string, compiled: CompiledPolicy, scope: ScanScope, memo?: Map<string, boolean>): Candidate[] {
  if (text.length > MAX_TEXT_LENGTH) {
    throw new GatewayError(`A text to check is ${text.length} characters long; the limit is ${MAX_TEXT_LENGTH}.`, { type: "invalid_request_error", code: "text_too_long" });
  }
  const candidates: Candidate[] = [];
  if (text.length === 0) return candidates;
  const options = memo ? { ...compiled.scanOptions, memo } : compiled.scanOptions;
  for (const recognizer of DATA_RECOGNIZERS) recognizer.scan(text, candidates, options);
  if (scope === "all") {
    injectionRecognizer.scan(text, candidates, options);
    scanPolicyLists(text, compiled.matchers, candidates);
  }
  return candidates;
}

/**
 * Checks one text under a policy and direction: the findings that count, with their rules, and the
 * verdict. `memo` (optional) carries validations over between scans of overlapping text.
 */
export function assessText(text: string, compiled: CompiledPolicy, direction: Direction, scope: ScanScope, memo?: Map<string, boolean>): Assessment {
  const rules = rulesOf(compiled, direction);
  const decisions: Decision[] = [];
  const candidates = detectCandidates(text, compiled, scope, memo);
  for (const candidate of candidates) {
    const rule = ruleFor(rules, candidate);
    if (candidate.score >= rule.minScore) decisions.push({ finding: candidate, rule });
  }
  const resolved = resolveOverlaps(decisions);
  return { decisions: resolved, verdict: verdictOf(resolved), candidates };
}

/** The redactions the "redact" decisions call for. */
export function redactionsOf(decisions: readonly Decision[]): Redaction[] {
  return decisions
    .filter((decision) => decision.rule.action === "redact" && decision.finding.end > decision.finding.start)
    .map(({ finding, rule }) => ({ start: finding.start, end: finding.end, type: finding.type, mode: rule.mode }));
}

/** The text with every "redact" decision applied. */
export function redactText(text: string, decisions: readonly Decision[], salt: string): string {
  return applyRedactions(text, redactionsOf(decisions), salt);
}
