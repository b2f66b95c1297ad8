// Resilience policies of a route (retry, timeouts, circuit breaker, fallback, output validation):
// zod schemas with the defaults a route gets when its config leaves them out.
import { z } from "zod";

export const RetryPolicySchema = z.object({
  /** Attempts on one target, the first included (1 = no retry). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Upper bound of the first backoff; the bound doubles with every further failure. */
  baseDelayMs: z.number().int().min(0).default(200),
  /** Cap on the backoff bound (a provider's Retry-After may still ask for longer). */
  maxDelayMs: z.number().int().min(0).default(5_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

export const TimeoutPolicySchema = z.object({
  /** The whole request, all attempts and fallbacks included (the retry budget). */
  totalMs: z.number().int().positive().default(60_000),
  /** Until the response headers (non-stream: the whole body) or the first stream chunk. */
  firstTokenMs: z.number().int().positive().default(20_000),
  /** Longest silence between two stream chunks. */
  idleMs: z.number().int().positive().default(20_000),
});
export type TimeoutPolicy = z.infer<typeof TimeoutPolicySchema>;

export const BreakerPolicySchema = z
  .object({
    /** Length of the sliding window the failure ratio is computed over. */
    windowMs: z.number().int().min(100).default(30_000),
    /** The ratio rule applies only once the window holds at least this many requests. */
    minRequests: z.number().int().min(1).default(10),
    /** Trip when failures / requests over the window reaches this ratio. */
    failureRatio: z.number().gt(0).max(1).default(0.5),
    /** Trip when this many attempts in a row failed, whatever the window says. */
    consecutiveFailures: z.number().int().min(1).default(5),
    /** A success slower than this counts as a failure ("SLA breach"); absent = no latency rule. */
    latencySlaMs: z.number().int().positive().optional(),
    /** How long the breaker stays open after its first trip, before it lets a probe through. */
    cooldownMs: z.number().int().positive().default(5_000),
    /** The cooldown doubles with every consecutive trip (failed probe), up to this cap. */
    maxCooldownMs: z.number().int().positive().default(60_000),
    /** How many probes may be in flight at once while half-open (cluster-wide with the registry). */
    halfOpenProbes: z.number().int().min(1).max(100).default(1),
  })
  .refine((policy) => policy.maxCooldownMs >= policy.cooldownMs, {
    message: "maxCooldownMs must be at least cooldownMs",
    path: ["maxCooldownMs"],
  });

export type BreakerPolicy = z.infer<typeof BreakerPolicySchema>;

export const FallbackPolicySchema = z.object({
  /** Upstream statuses (after retries) that move on to the next target; others go back to the client. */
  statuses: z.array(z.number().int().min(400).max(599)).default([408, 409, 429, 500, 502, 503, 504, 529]),
  onTimeout: z.boolean().default(true),
  onInvalidOutput: z.boolean().default(true),
});
export type FallbackPolicy = z.infer<typeof FallbackPolicySchema>;

export const OutputValidationSchema = z.object({
  /** An answer with no content and no tool calls is invalid. */
  nonEmpty: z.boolean().default(true),
  /** With response_format json_schema, the content must parse and conform. */
  jsonSchema: z.boolean().default(true),
});
export type OutputValidation = z.infer<typeof OutputValidationSchema>;
