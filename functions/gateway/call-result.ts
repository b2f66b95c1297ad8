// Turning the resilient loop's outcome into what crosses RPC: CallMeta for the x-gateway-* headers
// and, on failure, the OpenAI-style error the client sees.
import { toGatewayError, type CallFailure, type CallMeta } from "@llm-edge/shared";
import { clientErrorFor } from "./failures";
import type { ResilientResult } from "./resilient-call";

/** Meta of a finished call (the answering target, or the last one tried). */
export function callMeta<T>(alias: string, result: ResilientResult<T>, costUsd?: number): CallMeta {
  const target = result.target;
  return {
    route: alias,
    attempts: result.attempts,
    skipped: result.skipped,
    ...(target ? { provider: target.provider, model: target.model } : {}),
    ...(result.ok ? { fallbackIndex: result.index } : {}),
    ...(costUsd !== undefined ? { costUsd } : {}),
  };
}

/** The client-facing failure for a call where no target answered. */
export function callFailure<T>(alias: string, result: ResilientResult<T> & { ok: false }): CallFailure {
  const error = clientErrorFor(result.failure);
  return {
    ok: false,
    meta: callMeta(alias, result),
    status: error.status,
    error: { error: { message: error.message, type: error.type, param: null, code: error.code } },
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  };
}

/** A failure before any upstream call (unknown model, bad override, broken config). */
export function rejected(alias: string, error: unknown): CallFailure {
  const gatewayError = toGatewayError(error);
  return { ok: false, meta: { route: alias, attempts: 0, skipped: [] }, status: gatewayError.status, error: gatewayError.toBody() };
}
