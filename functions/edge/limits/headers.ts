// How limits show to clients, after OpenAI's API: x-ratelimit-{limit,remaining,reset}-{requests,tokens}
// headers (reset as "1s", "6m0s"), and 429s with Retry-After and code rate_limit_exceeded or
// insufficient_quota.
import { GatewayError, type BudgetVerdict } from "@llm-edge/shared";
import type { LimitKind, WindowState } from "./rate";

/** A duration as OpenAI writes it in x-ratelimit-reset-*: "250ms", "1s", "6m0s", "1h2m3s". */
export function formatResetDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1_000);
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Whole seconds until `reset` (ms epoch), at least 1: the Retry-After value. */
export function retryAfterSeconds(reset: number, now = Date.now()): number {
  return Math.max(1, Math.ceil((reset - now) / 1_000));
}

/** The x-ratelimit-* headers of the tightest window of each kind (fewest remaining). */
export function rateLimitHeaders(states: WindowState[], now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ["requests", "tokens"] as LimitKind[]) {
    const tightest = states.filter((state) => state.subject.kind === kind).sort((a, b) => a.remaining - b.remaining)[0];
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(tightest.limit);
    headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, tightest.remaining));
    headers[`x-ratelimit-reset-${kind}`] = formatResetDuration(tightest.reset - now);
  }
  return headers;
}

/** The 429 for a window that is used up. */
export function windowExceeded(state: WindowState, now = Date.now()): GatewayError {
  const { kind, scope, id, window } = state.subject;
  const owner = scope === "tenant" ? `tenant ${id}` : `API key ${id}`;
  return new GatewayError(
    `Rate limit reached for ${kind} on ${owner}: limit ${window.limit} per ${window.windowSeconds}s. Please try again in ${formatResetDuration(state.reset - now)}.`,
    { type: "rate_limit_error", code: "rate_limit_exceeded", param: null },
  );
}

/** The 429 for a spend budget that is used up. */
export function budgetExceeded(verdict: Extract<BudgetVerdict, { ok: false }>, tenant: string): GatewayError {
  return new GatewayError(
    `You exceeded the ${verdict.period === "day" ? "daily" : "monthly"} spend budget of tenant ${tenant} ($${verdict.budgetUsd}; spent $${verdict.spentUsd.toFixed(6)}). It resets at ${new Date(verdict.reset).toISOString()}.`,
    { type: "rate_limit_error", code: "insufficient_quota", param: null },
  );
}
