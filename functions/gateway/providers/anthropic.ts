// The Anthropic Messages API adapter: POST <baseUrl>/messages with x-api-key and anthropic-version,
// the request/answer/stream translations from the anthropic-* modules, and Anthropic error bodies
// ({"type":"error","error":{type,message}}) explained in OpenAI terms.
import type { ErrorType } from "@llm-edge/shared";
import { toAnthropicRequest } from "./anthropic-request";
import { toChatCompletion } from "./anthropic-response";
import { createAnthropicStreamMapper } from "./anthropic-stream";
import { isRecord, parseJsonText, stringField } from "./json";
import { baseUrlOf } from "./openai-compatible";
import { errorTypeForStatus, plainTextMessage, redactSecrets } from "./provider-error";
import type { ProviderAdapter, ProviderErrorInfo, ResolvedTarget } from "./types";

export const ANTHROPIC_VERSION = "2023-06-01";

const TYPE_BY_ANTHROPIC_ERROR: Record<string, ErrorType> = {
  invalid_request_error: "invalid_request_error",
  request_too_large: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  billing_error: "permission_error",
  not_found_error: "not_found_error",
  rate_limit_error: "rate_limit_error",
  timeout_error: "timeout_error",
  overloaded_error: "service_unavailable",
};

/**
 * Explains a non-2xx Anthropic answer: the type comes from Anthropic's error type (overloaded_error
 * → service_unavailable, rate_limit_error → rate_limit_error, …) or, for api_error and bodies that
 * are not Anthropic's, from the HTTP status (500 server_error, 503 service_unavailable); the code is Anthropic's error type; the message
 * has credentials redacted.
 */
export function mapAnthropicError(status: number, bodyText: string, target?: ResolvedTarget): ProviderErrorInfo {
  const parsed = parseJsonText(bodyText);
  const error = parsed.ok && isRecord(parsed.value) ? parsed.value.error : undefined;
  const anthropicType = stringField(error, "type");
  const message = stringField(error, "message") ?? plainTextMessage(parsed.ok ? "" : bodyText, status);
  const type = (anthropicType !== undefined ? TYPE_BY_ANTHROPIC_ERROR[anthropicType] : undefined) ?? errorTypeForStatus(status);
  return { message: redactSecrets(message, target?.apiKey), type, code: anthropicType ?? null };
}

/** Anthropic's Messages API (target.baseUrl is resolved by the executor, e.g. https://api.anthropic.com/v1). */
export const anthropicAdapter: ProviderAdapter = {
  type: "anthropic",
  mapRequest(request, target) {
    return {
      url: `${baseUrlOf(target)}/messages`,
      headers: {
        "content-type": "application/json",
        "anthropic-version": ANTHROPIC_VERSION,
        ...(target.apiKey ? { "x-api-key": target.apiKey } : {}),
        ...target.headers,
      },
      body: toAnthropicRequest(request, target.model),
    };
  },
  mapResponse: (body) => toChatCompletion(body),
  createStreamMapper: (target, request) => createAnthropicStreamMapper(target, request),
  mapError: mapAnthropicError,
};
