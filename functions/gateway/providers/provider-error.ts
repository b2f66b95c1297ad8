// Shared pieces for explaining provider failures: HTTP status → OpenAI error type, redaction of
// credentials in provider messages (a provider may echo the key back) and client-safe messages from
// plain-text error bodies.
import type { ErrorType } from "@llm-edge/shared";

const REDACTED = "[REDACTED]";
const MESSAGE_LIMIT = 500;

/** Credential shapes redacted from every provider message, whatever the target's key is. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bBearer\s+[^\s"',;]+/gi,
  // OpenAI, Anthropic, DeepSeek, OpenRouter keys (sk-…, sk-ant-…, sk-or-…), also the masked echoes "sk-abc***wxyz".
  /\b(?:sk|rk|pk)-[A-Za-z0-9_*.-]{4,}/g,
  // Groq keys.
  /\bgsk_[A-Za-z0-9_*]{4,}/g,
];
/** "API key provided: <value>" / "api_key=<value>": keep the words, hide the value. */
const KEY_ASSIGNMENT = /(\bapi[ _-]?key\b[^:=\n]{0,24}[:=]\s*)[^\s"',;]+/gi;

/**
 * The OpenAI error type for a provider's HTTP status: 400/409/413/422 and other 4xx are
 * invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
 * 408/504 timeout_error, 429 rate_limit_error, 502/503/529 service_unavailable, other 5xx server_error.
 */
export function errorTypeForStatus(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 408 || status === 504) return "timeout_error";
  if (status === 429) return "rate_limit_error";
  if (status === 502 || status === 503 || status === 529) return "service_unavailable";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * Removes credentials from a provider message: every occurrence of the target's API key (when
 * given), bearer tokens, key-shaped strings (sk-…, gsk_…, including masked echoes) and values that
 * follow "api key:"/"api_key=". The rest of the message stays readable.
 */
export function redactSecrets(text: string, apiKey?: string): string {
  let redacted = apiKey !== undefined && apiKey.length >= 4 ? text.split(apiKey).join(REDACTED) : text;
  for (const pattern of SECRET_PATTERNS) redacted = redacted.replace(pattern, REDACTED);
  return redacted.replace(KEY_ASSIGNMENT, `$1${REDACTED}`);
}

/**
 * A client-safe message from a provider's plain-text (non-JSON) error body: whitespace collapsed,
 * cut to 500 characters; an empty body or an HTML page becomes "Provider returned HTTP <status>.".
 */
export function plainTextMessage(bodyText: string, status: number): string {
  const text = bodyText.replace(/\s+/g, " ").trim();
  if (text === "" || text.startsWith("<")) return `Provider returned HTTP ${status}.`;
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}…` : text;
}
