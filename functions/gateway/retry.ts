// Retry decisions for the gateway's executor: which statuses are worth retrying, full-jitter
// exponential backoff, the provider's Retry-After from the current response, and whether the next
// wait still fits the request's time budget. Pure functions; the executor owns the loop and sleeping.
import type { RetryPolicy } from "@llm-edge/shared";


/** Larger exponents cannot matter: 2^40 × any sane base is far beyond any cap. */
const MAX_EXPONENT = 40;

/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"): a delay
 * uniform in [0, min(maxDelayMs, baseDelayMs × 2^(failures-1))] whole milliseconds. `failures` is
 * the number of failed attempts so far (≥ 1); `random` returns [0, 1) and is injectable for tests.
 */
export function backoffDelayMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (failures < 1) return 0;
  const exponent = Math.min(failures - 1, MAX_EXPONENT);
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1);
  return Math.min(bound, Math.floor(draw * (bound + 1)));
}

const DELTA_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;
const NON_NEGATIVE_NUMBER = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/;
/** An HTTP date (IMF-fixdate, RFC 850 or asctime) has a month name and an hh:mm:ss time. */
const HTTP_DATE = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b.*\b\d{1,2}:\d{2}:\d{2}\b/i;

/**
 * The delay the provider asked for on the CURRENT response, in ms: `retry-after-ms` (OpenAI's and
 * Azure's header; ms, may be fractional) is preferred; otherwise `retry-after` as delta-seconds or
 * as an HTTP date relative to `now` (a date in the past gives 0: "retry now"). Undefined when
 * absent, unparsable or negative.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null) {
    const match = NON_NEGATIVE_NUMBER.exec(milliseconds);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = DELTA_SECONDS.exec(value);
  if (seconds?.[1] !== undefined) return Number(seconds[1]) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** 408, 409, 429 and every 5xx (incl. Anthropic's 529 "overloaded") are retryable; nothing else is. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

export interface NextDelayInput {
  /** Failed attempts on this target so far (≥ 1 when asking about a retry). */
  failures: number;
  policy: RetryPolicy;
  /** From `retryAfterMs` on the response that just failed; a floor for the wait. */
  retryAfterMs?: number;
  /** Time left in the request's budget. */
  remainingBudgetMs: number;
  random?: () => number;
}

/**
 * The wait before the next attempt on the same target: max(jittered backoff, Retry-After). Undefined
 * ("do not retry here, move on") when the policy's attempts are used up (failures ≥ maxAttempts) or
 * when the wait would not leave any of the remaining time budget for the attempt itself.
 */
export function nextDelayMs(input: NextDelayInput): number | undefined {
  if (input.failures >= input.policy.maxAttempts) return undefined;
  const backoff = backoffDelayMs(input.failures, input.policy, input.random);
  const wait = Math.max(backoff, input.retryAfterMs ?? 0);
  return wait < input.remainingBudgetMs ? wait : undefined;
}
