// The retry/fallback loop shared by chat (stream and not) and embeddings: targets in plan order,
// each behind its circuit breaker, retried with full-jitter backoff (Retry-After honoured) within the
// request's time budget, moving on when the fallback policy says so.
import type { Logger } from "@llm-edge/shared";
import type { BreakerRegistry } from "./breaker/registry";
import type { Outcome } from "./breaker/state";
import { countsAgainstTarget, isRetryable, shouldFallBack, type AttemptFailure } from "./failures";
import type { RoutePlan } from "./plan";
import type { ResolvedTarget } from "./providers/types";
import { nextDelayMs } from "./retry";

export interface ResilienceDeps {
  breakers: BreakerRegistry;
  log: Logger;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The caller's cancellation: no attempt starts after it, and a running one is aborted. */
  cancelled?: AbortSignal;
}

export interface AttemptContext {
  target: ResolvedTarget;
  /** Epoch ms by which this attempt must have its first token (or, non-stream, its whole answer). */
  firstTokenDeadline: number;
  /** Epoch ms when the request's whole budget runs out. */
  budgetDeadline: number;
  /** For attempts that finish later (streams): report the final outcome to the breaker. */
  report(outcome: Outcome, latencyMs: number): void;
  /** For attempts that end without saying anything about the target (the client left): free a probe slot. */
  release(): void;
  /** The caller's cancellation, to abort the upstream request with. */
  cancelled?: AbortSignal;
}

export type AttemptResult<T> =
  | { ok: true; value: T; latencyMs: number; /** true when the attempt will call ctx.report itself later */ deferred?: boolean }
  | { ok: false; failure: AttemptFailure; latencyMs: number };

export interface Skipped {
  target: string;
  reason: string;
}

export type ResilientResult<T> =
  | { ok: true; value: T; target: ResolvedTarget; index: number; attempts: number; skipped: Skipped[] }
  | { ok: false; failure: AttemptFailure | undefined; target?: ResolvedTarget; attempts: number; skipped: Skipped[] };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` against the plan's targets until one succeeds. Per target: acquire the breaker (an
 * open one is skipped at once), call, record the outcome, and on a retryable failure wait the backoff
 * (or the provider's Retry-After) and try again while attempts and budget remain; then fall back to
 * the next target if the failure kind allows it, else return the failure to the client.
 */
export async function callWithResilience<T>(plan: RoutePlan, deps: ResilienceDeps, attempt: (ctx: AttemptContext) => Promise<AttemptResult<T>>): Promise<ResilientResult<T>> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const { retry, timeouts, breaker: breakerPolicy, fallback } = plan.route;
  const budgetDeadline = now() + timeouts.totalMs;
  const skipped: Skipped[] = [...plan.unusable];
  let attempts = 0;
  let lastFailure: AttemptFailure | undefined;
  let lastTarget: ResolvedTarget | undefined;

  for (const [index, target] of plan.targets.entries()) {
    let failures = 0;
    for (;;) {
      if (deps.cancelled?.aborted) return { ok: false, failure: { kind: "cancelled" }, target: lastTarget, attempts, skipped };
      const remaining = budgetDeadline - now();
      if (remaining <= 0) return { ok: false, failure: { kind: "timeout", phase: "total" }, target: lastTarget, attempts, skipped };
      const permit = await deps.breakers.acquire(target.id, breakerPolicy);
      if (!permit.allowed) {
        skipped.push({ target: target.id, reason: "circuit_open" });
        lastFailure ??= { kind: "breaker_open", retryInMs: permit.retryInMs };
        if (lastFailure.kind === "breaker_open") lastFailure = { kind: "breaker_open", retryInMs: Math.min(lastFailure.retryInMs, permit.retryInMs) };
        break;
      }
      attempts += 1;
      lastTarget = target;
      const probe = permit.probe;
      const report = (outcome: Outcome, latencyMs: number) => deps.breakers.record(target.id, outcome, latencyMs, probe);
      const release = () => {
        if (probe) deps.breakers.breaker(target.id, breakerPolicy).releaseProbe();
      };
      const result = await attempt({ target, firstTokenDeadline: Math.min(budgetDeadline, now() + timeouts.firstTokenMs), budgetDeadline, report, release, ...(deps.cancelled ? { cancelled: deps.cancelled } : {}) });
      if (result.ok) {
        if (!result.deferred) report("success", result.latencyMs);
        return { ok: true, value: result.value, target, index, attempts, skipped };
      }
      const failure = result.failure;
      lastFailure = failure;
      if (countsAgainstTarget(failure)) report(failure.kind === "invalid_output" ? "invalid" : "failure", result.latencyMs);
      else release();
      if (failure.kind === "cancelled") return { ok: false, failure, target, attempts, skipped };
      deps.log.warn("upstream attempt failed", { target: target.id, attempt: failures + 1, failure: failure.kind, ...(failure.kind === "status" ? { status: failure.status } : {}) });

      if (!isRetryable(failure)) {
        if (shouldFallBack(failure, fallback)) break;
        return { ok: false, failure, target, attempts, skipped };
      }
      failures += 1;
      const delay =
        failures < retry.maxAttempts
          ? nextDelayMs({
              failures,
              policy: retry,
              remainingBudgetMs: budgetDeadline - now(),
              random: deps.random,
              ...(failure.kind === "status" && failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
            })
          : undefined;
      if (delay === undefined) {
        if (shouldFallBack(failure, fallback)) break;
        return { ok: false, failure, target, attempts, skipped };
      }
      if (delay > 0) await sleep(delay);
    }
  }
  return { ok: false, failure: lastFailure, target: lastTarget, attempts, skipped };
}
