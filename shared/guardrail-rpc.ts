// The guardrail Worker's RPC contract: findings, verdicts, checks of text, chat input, chat output and
// streams, and the human-review queue. Types come from zod so the edge can validate its HTTP bodies.
import { z } from "zod";
import type { ChatCompletion, ChatCompletionRequest } from "./openai";
import type { RpcContext } from "./rpc";

export const FindingCheckSchema = z.enum(["pii", "secret", "injection", "policy", "schema", "confidence"]);

/** One thing a check found. Entity types follow Presidio's names (EMAIL_ADDRESS, CREDIT_CARD, …). */
export const FindingSchema = z.object({
  type: z.string(),
  /** UTF-16 offsets into the checked text, end exclusive (0/0 for whole-text findings). */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  score: z.number().min(0).max(1),
  check: FindingCheckSchema,
  /** The rule or recognizer that fired, e.g. "luhn", "instruction_override". */
  rule: z.string().optional(),
  /** For chat checks: where the text is, e.g. "messages[1].content" (offsets are into that text). */
  path: z.string().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const VerdictSchema = z.enum(["pass", "redact", "block", "escalate"]);
export type Verdict = z.infer<typeof VerdictSchema>;

export const DirectionSchema = z.enum(["input", "output"]);
export type Direction = z.infer<typeof DirectionSchema>;

/** POST /v1/guardrails/check body. */
export const TextCheckRequestSchema = z.object({
  text: z.string().max(1_000_000),
  direction: DirectionSchema,
  /** A policy name from the config; default: the tenant's policy. */
  policy: z.string().min(1).optional(),
  /** Caller- or critic-supplied confidence in [0, 1] for the confidence gate. */
  confidence: z.number().min(0).max(1).optional(),
});
export type TextCheckRequest = z.infer<typeof TextCheckRequestSchema>;

export const TextCheckResultSchema = z.object({
  verdict: VerdictSchema,
  findings: z.array(FindingSchema),
  redacted: z.string().optional(),
  reviewId: z.string().optional(),
});
export type TextCheckResult = z.infer<typeof TextCheckResultSchema>;

/** The outcome of checking a chat request or answer; `value` is the (possibly redacted) request or completion. */
export interface ChatCheckResult<T> {
  verdict: Verdict;
  findings: Finding[];
  value: T;
  /** Set for "escalate": the review that holds the request/answer. */
  reviewId?: string;
  /** Human-readable reason for "block" / "escalate", safe to show the caller (no raw PII). */
  reason?: string;
}

export const ReviewStatusSchema = z.enum(["pending", "approved", "rejected", "expired"]);
export const ReviewSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  direction: DirectionSchema,
  status: ReviewStatusSchema,
  createdAt: z.string(),
  decidedAt: z.string().optional(),
  reviewer: z.string().optional(),
  note: z.string().optional(),
  reason: z.string(),
  findings: z.array(FindingSchema),
  /** The held text with PII masked (reviewers see what fired, not the raw values). */
  preview: z.string(),
  /** For an approved output review: the held answer (redacted per policy), for the caller to collect. */
  completion: z.unknown().optional(),
});
export type Review = z.infer<typeof ReviewSchema>;

export const ReviewDecisionSchema = z.object({
  decision: z.enum(["approve", "reject"]),
  reviewer: z.string().max(200).optional(),
  note: z.string().max(2_000).optional(),
});
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;

export interface GuardrailCheckRpc {
  checkText(context: RpcContext, input: TextCheckRequest & { tenant: string }): Promise<TextCheckResult>;
  /**
   * Checks every message of a chat request before it reaches a provider. "redact" returns the request
   * with the findings replaced per policy; "escalate" stores it in the review queue; an approved review
   * id (x-gateway-review-id) lets the same request through once.
   */
  checkInput(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; reviewId?: string }): Promise<ChatCheckResult<ChatCompletionRequest>>;
  /** Checks a complete answer (content and tool-call arguments), incl. the request's response_format schema. */
  checkOutput(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; completion: ChatCompletion; confidence?: number }): Promise<ChatCheckResult<ChatCompletion>>;
  /**
   * Scans an OpenAI SSE byte stream as it passes: redacts in-stream with a carry-over window (a value
   * split across chunks is still caught), and on "block" ends the stream with an SSE error event.
   */
  guardStream(context: RpcContext, input: { tenant: string; request: ChatCompletionRequest; stream: ReadableStream<Uint8Array> }): Promise<ReadableStream<Uint8Array>>;
  listReviews(context: RpcContext, input: { tenant: string; status?: z.infer<typeof ReviewStatusSchema>; limit?: number }): Promise<Review[]>;
  getReview(context: RpcContext, input: { tenant: string; id: string }): Promise<Review | undefined>;
  decideReview(context: RpcContext, input: { tenant: string; id: string } & ReviewDecision): Promise<Review | undefined>;
}
