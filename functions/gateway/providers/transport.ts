// Sending a mapped request: the adapter's own send() when it has one (Workers AI's binding),
// otherwise a JSON POST with fetch. The Response comes back as is (any status); reading it, retries,
// timeouts (through `signal`) and fallback are the executor's job.
import { GatewayError } from "@llm-edge/shared";
import type { ChatCompletionRequest, EmbeddingsRequest } from "@llm-edge/shared";
import type { ProviderAdapter, ProviderBindings, ProviderRequest, ResolvedTarget } from "./types";

/** Per-call values that travel with the bindings: the caller's idempotency key (the fan-out coordinator's job/task/attempt). */
export type CallBindings = ProviderBindings & { idempotencyKey?: string };

function postJson(request: ProviderRequest, signal: AbortSignal, idempotencyKey?: string): Promise<Response> {
  const headers = idempotencyKey ? { ...request.headers, "Idempotency-Key": idempotencyKey } : request.headers;
  return fetch(request.url, { method: "POST", headers, body: JSON.stringify(request.body), signal });
}

/**
 * Sends a chat request to a target: `adapter.send` when present, else fetch of `adapter.mapRequest`
 * as a JSON POST. Resolves with the provider's Response whatever its status; rejects when the request
 * cannot be made (network failure, abort through `signal`) or the adapter refuses it (GatewayError).
 */
export async function sendProviderRequest(
  adapter: ProviderAdapter,
  request: ChatCompletionRequest,
  target: ResolvedTarget,
  bindings: CallBindings,
  signal: AbortSignal,
): Promise<Response> {
  if (adapter.send) return adapter.send(request, target, bindings, signal);
  return postJson(adapter.mapRequest(request, target), signal, bindings.idempotencyKey);
}

/**
 * Sends an embeddings request to a target as a JSON POST. A provider type without embeddings is a
 * GatewayError 400 (`model_not_supported`), since the client chose a model that cannot embed.
 */
export async function sendEmbeddingsRequest(adapter: ProviderAdapter, request: EmbeddingsRequest, target: ResolvedTarget, signal: AbortSignal): Promise<Response> {
  if (!adapter.mapEmbeddingsRequest) {
    throw new GatewayError(`Model "${request.model}" does not support embeddings.`, { type: "invalid_request_error", param: "model", code: "model_not_supported" });
  }
  return postJson(adapter.mapEmbeddingsRequest(request, target), signal);
}
