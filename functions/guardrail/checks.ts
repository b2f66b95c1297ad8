// The guardrail's checks behind the RPC: a single text (/v1/guardrails/check), a chat request before
// it reaches a provider (every message redacted per policy; approved review ids let a held request
// through once) and a complete answer (content, tool-call arguments, response schema, confidence).
import {
  GatewayError,
  type ChatCheckResult,
  type ChatCompletion,
  type ChatCompletionRequest,
  type Direction,
  type GuardrailConfig,
  type Logger,
  type TextCheckRequest,
  type TextCheckResult,
  type Verdict,
} from "@llm-edge/shared";
import { assessingVisitor, findingsOf, previewOf, reasonFor, redactionSalt, requestHash, textHash, type CheckedText, type PathDecision } from "./assessments";
import { mapCompletionTexts, mapRequestTexts } from "./chat-texts";
import { assessText, redactText, verdictOf } from "./engine";
import { resolvePolicy, ruleFor, rulesOf, type CompiledPolicy } from "./policy";
import type { NewReview, ReviewQueue } from "./review-queue";
import { checkOutputSchema } from "./schema-check";

export interface GuardrailDeps {
  config: GuardrailConfig;
  /** Undefined when Upstash Redis is not configured: escalations then fail with a 503. */
  reviews: ReviewQueue | undefined;
  log: Logger;
}

/** The review queue, or a 503 `review_queue_unavailable` when Upstash Redis is not configured. */
export function requireReviewQueue(deps: GuardrailDeps): ReviewQueue {
  if (deps.reviews) return deps.reviews;
  throw new GatewayError("The review queue is not configured (Upstash Redis).", { type: "service_unavailable", code: "review_queue_unavailable" });
}

/** Stores a review; without a working queue an escalation cannot be honoured, so it fails closed (503). */
async function openReview(deps: GuardrailDeps, review: NewReview): Promise<string> {
  const reviews = requireReviewQueue(deps);
  try {
    return (await reviews.create(review)).id;
  } catch (error) {
    deps.log.error("could not store a review", { error });
    throw new GatewayError("This needs human review, but the review queue is unavailable; try again later.", { type: "service_unavailable", code: "review_queue_unavailable" });
  }
}

/** The confidence gate: LOW_CONFIDENCE (score 1) when a supplied confidence is below the policy's minimum. */
function confidenceDecisions(compiled: CompiledPolicy, direction: Direction, confidence: number | undefined): PathDecision[] {
  const minimum = compiled.policy.minConfidence;
  if (confidence === undefined || confidence >= minimum) return [];
  const finding = { type: "LOW_CONFIDENCE", start: 0, end: 0, score: 1, check: "confidence" as const, rule: `below_${minimum}` };
  const rule = ruleFor(rulesOf(compiled, direction), finding);
  return finding.score >= rule.minScore ? [{ finding, rule, detail: `confidence ${confidence} is below ${minimum}` }] : [];
}

/** Checks one text: findings, verdict, the redacted text when anything is redacted, a review id on escalation. */
export async function checkText(deps: GuardrailDeps, input: TextCheckRequest & { tenant: string }): Promise<TextCheckResult> {
  const compiled = resolvePolicy(deps.config, { tenant: input.tenant, ...(input.policy ? { name: input.policy } : {}) });
  if (!compiled.policy.enabled) return { verdict: "pass", findings: [] };
  const assessment = assessText(input.text, compiled, input.direction, "all");
  const decisions: PathDecision[] = [...assessment.decisions, ...confidenceDecisions(compiled, input.direction, input.confidence)];
  const verdict = verdictOf(decisions);
  const redactions = decisions.some((decision) => decision.rule.action === "redact");
  const redacted = redactions && verdict !== "block" ? redactText(input.text, assessment.decisions, redactionSalt(compiled, input.tenant)) : undefined;
  const result: TextCheckResult = { verdict, findings: findingsOf(decisions), ...(redacted !== undefined ? { redacted } : {}) };
  if (verdict !== "escalate") return result;
  const reviewId = await openReview(deps, {
    tenant: input.tenant,
    direction: input.direction,
    reason: reasonFor("escalate", decisions),
    findings: result.findings,
    preview: previewOf([{ path: "text", text: input.text, decisions: assessment.decisions }]),
    requestHash: textHash(input.text, input.direction),
  });
  return { ...result, reviewId };
}

/**
 * Checks a chat request before any provider sees it. Every message's text comes back redacted per
 * policy; "block" carries a reason without values; "escalate" stores a review (or finds the pending
 * one for the same request). With an approved `reviewId` for this very request, the escalation is
 * lifted once; a rejected one blocks.
 */
export async function checkInput(deps: GuardrailDeps, input: { tenant: string; request: ChatCompletionRequest; reviewId?: string }): Promise<ChatCheckResult<ChatCompletionRequest>> {
  const compiled = resolvePolicy(deps.config, { tenant: input.tenant, model: input.request.model });
  if (!compiled.policy.enabled) return { verdict: "pass", findings: [], value: input.request };
  const decisions: PathDecision[] = [];
  const texts: CheckedText[] = [];
  const value = mapRequestTexts(input.request, assessingVisitor(compiled, "input", redactionSalt(compiled, input.tenant), decisions, texts));
  const findings = findingsOf(decisions);
  const verdict = verdictOf(decisions);
  const answer = (final: Verdict, extra: { reviewId?: string; reason?: string } = {}): ChatCheckResult<ChatCompletionRequest> => ({ verdict: final, findings, value, ...extra });

  if (verdict === "block") return answer("block", { reason: reasonFor("block", decisions) });
  if (verdict !== "escalate") return answer(verdict);

  const hash = requestHash(input.request);
  if (input.reviewId && deps.reviews) {
    const outcome = await deps.reviews.redeem(input.tenant, input.reviewId, hash);
    if (outcome.kind === "approved") {
      deps.log.info("approved review used", { reviewId: input.reviewId, tenant: input.tenant });
      return answer(verdictOf(decisions.filter((decision) => decision.rule.action !== "escalate")), { reviewId: input.reviewId });
    }
    if (outcome.kind === "pending") return answer("escalate", { reviewId: outcome.review.id, reason: outcome.review.reason });
    if (outcome.kind === "rejected") return answer("block", { reviewId: outcome.review.id, reason: `a reviewer rejected this request (review ${outcome.review.id})` });
  }
  const reason = reasonFor("escalate", decisions);
  const reviewId = await openReview(deps, { tenant: input.tenant, direction: "input", reason, findings, preview: previewOf(texts), requestHash: hash });
  return answer("escalate", { reviewId, reason });
}

/**
 * Checks a complete answer: each choice's content and tool-call arguments (redacted per policy),
 * the request's response_format and the policy's output schema, and the confidence gate. An
 * escalation stores the (redacted) answer with its review.
 */
export async function checkOutput(
  deps: GuardrailDeps,
  input: { tenant: string; request: ChatCompletionRequest; completion: ChatCompletion; confidence?: number },
): Promise<ChatCheckResult<ChatCompletion>> {
  const compiled = resolvePolicy(deps.config, { tenant: input.tenant, model: input.request.model });
  if (!compiled.policy.enabled) return { verdict: "pass", findings: [], value: input.completion };
  const decisions: PathDecision[] = [];
  const texts: CheckedText[] = [];
  const value = mapCompletionTexts(input.completion, assessingVisitor(compiled, "output", redactionSalt(compiled, input.tenant), decisions, texts));
  const rules = rulesOf(compiled, "output");
  input.completion.choices.forEach((choice, index) => {
    if (choice.message.tool_calls?.length) return;
    for (const { finding, reason } of checkOutputSchema(choice.message.content, input.request, compiled.policy.outputSchema)) {
      const rule = ruleFor(rules, finding);
      if (finding.score >= rule.minScore) decisions.push({ finding, rule, path: `choices[${index}].message.content`, detail: reason });
    }
  });
  decisions.push(...confidenceDecisions(compiled, "output", input.confidence));
  const findings = findingsOf(decisions);
  const verdict = verdictOf(decisions);
  if (verdict === "block") return { verdict, findings, value, reason: reasonFor("block", decisions) };
  if (verdict !== "escalate") return { verdict, findings, value };
  const reason = reasonFor("escalate", decisions);
  const reviewId = await openReview(deps, {
    tenant: input.tenant,
    direction: "output",
    reason,
    findings,
    preview: previewOf(texts),
    requestHash: textHash(JSON.stringify(input.completion.choices.map((choice) => choice.message)), "output"),
    payload: value,
  });
  return { verdict, findings, value, reviewId, reason };
}
