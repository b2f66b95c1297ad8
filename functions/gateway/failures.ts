// What can go wrong with one upstream attempt, whether it is worth retrying or falling back, and the
// error the client finally sees when every target failed.
import type { ErrorType, FallbackPolicy } from "@llm-edge/shared";
import type { ProviderErrorInfo } from "./providers/types";
import { isRetryableStatus } from "./retry";

export type AttemptFailure =
  | { kind: "status"; status: number; retryAfterMs?: number; error: ProviderErrorInfo }
  | { kind: "timeout"; phase: "first_token" | "idle" | "total" }
  | { kind: "network"; message: string }
  | { kind: "protocol"; message: string }
  | { kind: "invalid_output"; reason: string }
  | { kind: "breaker_open"; retryInMs: number }
  /** The caller gave up (a losing `first` branch, a cancelled job): says nothing about the target. */
  | { kind: "cancelled" };

/** May the same target be tried again after this failure? */
export function isRetryable(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case "status":
      return isRetryableStatus(failure.status);
    case "timeout":
    case "network":
    case "protocol":
      return true;
    case "invalid_output":
    case "breaker_open":
    case "cancelled":
      return false;
  }
}

/** Should the next target be tried after this failure (retries on this one exhausted or pointless)? */
export function shouldFallBack(failure: AttemptFailure, policy: FallbackPolicy): boolean {
  switch (failure.kind) {
    case "status":
      return policy.statuses.includes(failure.status);
    case "timeout":
      return policy.onTimeout;
    case "invalid_output":
      return policy.onInvalidOutput;
    case "network":
    case "protocol":
    case "breaker_open":
      return true;
    case "cancelled":
      return false;
  }
}

/** Counts against the target's circuit breaker (a client error such as 400 does not). */
export function countsAgainstTarget(failure: AttemptFailure): boolean {
  if (failure.kind === "status") return isRetryableStatus(failure.status) || failure.status === 401 || failure.status === 403;
  return failure.kind !== "breaker_open" && failure.kind !== "cancelled";
}

export interface ClientError {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

/** The error the client sees when no target answered; `failure` is the last one that happened. */
export function clientErrorFor(failure: AttemptFailure | undefined): ClientError {
  if (!failure) return { status: 503, type: "service_unavailable", code: "no_usable_target", message: "No target of this route can be called (missing configuration)." };
  switch (failure.kind) {
    case "status": {
      const upstream = failure.error;
      const status = failure.status === 529 ? 503 : failure.status;
      const retryAfterSeconds = failure.retryAfterMs === undefined ? undefined : Math.ceil(failure.retryAfterMs / 1000);
      return { status, type: upstream.type, code: upstream.code ?? `upstream_${failure.status}`, message: upstream.message, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
    }
    case "timeout":
      return { status: 504, type: "timeout_error", code: `upstream_timeout_${failure.phase}`, message: `The upstream model did not answer in time (${failure.phase.replace("_", " ")} timeout).` };
    case "network":
      return { status: 502, type: "server_error", code: "upstream_unreachable", message: "The upstream model could not be reached." };
    case "protocol":
      return { status: 502, type: "server_error", code: "upstream_malformed", message: "The upstream model sent a malformed answer." };
    case "invalid_output":
      return { status: 502, type: "server_error", code: "invalid_output", message: `The model's answer failed validation: ${failure.reason}.` };
    case "cancelled":
      return { status: 499, type: "invalid_request_error", code: "request_cancelled", message: "The caller cancelled the request before the model answered." };
    case "breaker_open":
      return {
        status: 503,
        type: "service_unavailable",
        code: "circuit_open",
        message: "Every target of this route is temporarily unavailable (circuit breaker open).",
        retryAfterSeconds: Math.max(1, Math.ceil(failure.retryInMs / 1000)),
      };
  }
}
