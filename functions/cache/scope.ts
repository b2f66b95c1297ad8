// What identifies a cache entry: the scope (tenant aside) — model alias, output-affecting
// parameters, system prompt(s) and the conversation before the last user message — hashed into a
// scope id, and the last user message, which is embedded and, normalised, hashed for exact match.
import type { CacheConfig, ChatCompletionRequest, ChatMessage } from "@llm-edge/shared";
import { canonicalJson, sha256Hex } from "./hash";
import { modelId } from "./keys";

/**
 * Request fields that do not change the answer. Everything else is in the scope, unknown fields
 * included (a provider-specific knob may change the answer). `n` is bypassed above 1, so n = 1
 * and no n are the same; `metadata` and `user` are labels, `stream*` only change the framing.
 */
const NOT_IN_SCOPE = new Set(["messages", "stream", "stream_options", "user", "metadata", "n", "store", "service_tier"]);

export interface CacheQuery {
  model: string;
  modelId: string;
  /** SHA-256 (128 bits, hex) of the canonical scope. */
  scope: string;
  /** The last user message as sent (text parts joined), for embedding and verification. */
  text: string;
  /** SHA-256 (128 bits, hex) of the normalised last user message. */
  queryHash: string;
  /** Whether the vector search applies (text only, not longer than maxSemanticQueryChars). */
  semantic: boolean;
}

export type DescribeResult = { ok: true; query: CacheQuery } | { ok: false; reason: string };

/**
 * The exact-match form of a query: NFKC, trimmed, whitespace collapsed, lower-cased. Case is
 * folded on purpose: "What is GDP?" and "what is gdp?" ask the same, and a case-only difference
 * is far more often typing than meaning.
 */
export function normaliseForExactMatch(text: string): string {
  return text.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

type Content = ChatMessage["content"];

/** Text parts count as their concatenation, so "Hi" and [{type:"text",text:"Hi"}] are the same message. */
function textOf(content: Content): { text: string; textOnly: boolean } {
  if (content === null || content === undefined) return { text: "", textOnly: true };
  if (typeof content === "string") return { text: content, textOnly: true };
  let text = "";
  let textOnly = true;
  for (const part of content) {
    if (part.type === "text" && "text" in part && typeof part.text === "string") text += part.text;
    else textOnly = false;
  }
  return { text, textOnly };
}

function canonicalMessage(message: ChatMessage): unknown {
  const { text, textOnly } = textOf(message.content);
  return { ...message, content: textOnly ? text : message.content };
}

function scopeParameters(request: ChatCompletionRequest): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request)) {
    if (!NOT_IN_SCOPE.has(name) && value !== null && value !== undefined) parameters[name] = value;
  }
  return parameters;
}

/**
 * Reads the cache identity of a chat request. Not cacheable (with the reason) when there is no
 * user message or the last message is not one (tool results, assistant prefill): what the answer
 * depends on then is not a user question.
 */
export async function describeQuery(config: CacheConfig, request: ChatCompletionRequest): Promise<DescribeResult> {
  const lastUser = request.messages.findLastIndex((message) => message.role === "user");
  if (lastUser === -1) return { ok: false, reason: "no_user_message" };
  if (lastUser !== request.messages.length - 1) return { ok: false, reason: "last_message_not_user" };
  const last = request.messages[lastUser]!;
  const { text, textOnly } = textOf(last.content);
  const scope = canonicalJson({
    v: 1,
    model: request.model,
    parameters: scopeParameters(request),
    context: request.messages.slice(0, lastUser).map(canonicalMessage),
    speaker: last.name,
  });
  const exactForm = textOnly ? normaliseForExactMatch(text) : canonicalJson(last.content);
  const [scopeHash, queryHash, model] = await Promise.all([sha256Hex(scope, 32), sha256Hex(exactForm, 32), modelId(request.model)]);
  const semantic = textOnly && text.trim() !== "" && text.length <= config.maxSemanticQueryChars;
  return { ok: true, query: { model: request.model, modelId: model, scope: scopeHash, text: text.trim(), queryHash, semantic } };
}
