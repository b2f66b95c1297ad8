// The one adapter base for every OpenAI-wire provider: "openai", "openai-compatible" (Ollama, vLLM,
// llama.cpp, Groq, Together, Mistral, DeepSeek, OpenRouter) and "simulated" (dev/sim-provider).
// Requests pass through with the target's model; answers are validated; errors are explained.
import { GatewayError } from "@llm-edge/shared";
import type { ChatCompletionRequest, EmbeddingsRequest } from "@llm-edge/shared";
import { isRecord, parseJsonText, stringField } from "./json";
import { createOpenAiStreamMapper } from "./openai-stream";
import { readChatCompletion, readEmbeddingsResponse } from "./openai-wire";
import { errorTypeForStatus, plainTextMessage, redactSecrets } from "./provider-error";
import type { ProviderAdapter, ProviderErrorInfo, ProviderRequest, ProviderType, ResolvedTarget } from "./types";

/** The target's base URL without a trailing slash; a target without one is a configuration error. */
export function baseUrlOf(target: ResolvedTarget): string {
  if (target.baseUrl === undefined || target.baseUrl === "") {
    throw new GatewayError(`Provider "${target.provider}" has no base URL configured.`, { type: "server_error", code: "provider_misconfigured" });
  }
  return target.baseUrl.replace(/\/+$/, "");
}

function headersFor(target: ResolvedTarget): Record<string, string> {
  return {
    "content-type": "application/json",
    ...(target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
    ...target.headers,
  };
}

/**
 * POST `<baseUrl>/chat/completions` with the client's request and the target's model. A streaming
 * request always asks for usage (`stream_options.include_usage`), which the stream mapper hides
 * again from clients that did not ask for it; a request that is not streamed carries no stream_options.
 */
export function mapOpenAiRequest(request: ChatCompletionRequest, target: ResolvedTarget): ProviderRequest {
  const { stream_options: streamOptions, ...rest } = request;
  const body: Record<string, unknown> = { ...rest, model: target.model };
  // OpenAI refuses stream_options without stream: true (the executor may send a stream request unstreamed).
  if (request.stream === true) body.stream_options = { ...streamOptions, include_usage: true };
  return { url: `${baseUrlOf(target)}/chat/completions`, headers: headersFor(target), body };
}

/** POST `<baseUrl>/embeddings` with the client's request and the target's model. */
export function mapOpenAiEmbeddingsRequest(request: EmbeddingsRequest, target: ResolvedTarget): ProviderRequest {
  return { url: `${baseUrlOf(target)}/embeddings`, headers: headersFor(target), body: { ...request, model: target.model } };
}

function codeOf(value: unknown): string | null {
  if (typeof value === "string" && value !== "") return value;
  return typeof value === "number" ? String(value) : null;
}

/** Message and code from the error bodies OpenAI-wire servers send: {"error":{…}}, {"error":"…"}, {"message"|"detail":"…"}. */
function errorDetails(body: unknown): { message?: string; code: string | null } {
  if (!isRecord(body)) return { code: null };
  const { error } = body;
  if (typeof error === "string") return { message: error, code: null };
  if (isRecord(error)) return { message: stringField(error, "message"), code: codeOf(error.code) };
  return { message: stringField(body, "message") ?? stringField(body, "detail"), code: null };
}

/**
 * Explains a non-2xx OpenAI-wire answer: the type follows the HTTP status (see errorTypeForStatus),
 * the message and code come from the body (OpenAI-style JSON or plain text), and credentials are
 * redacted from the message (the target's key, bearer tokens, key-shaped strings).
 */
export function mapOpenAiStyleError(status: number, bodyText: string, target?: ResolvedTarget): ProviderErrorInfo {
  const parsed = parseJsonText(bodyText);
  const details = parsed.ok ? errorDetails(parsed.value) : { code: null };
  const message = details.message !== undefined && details.message.trim() !== "" ? details.message : plainTextMessage(parsed.ok ? "" : bodyText, status);
  return { message: redactSecrets(message, target?.apiKey), type: errorTypeForStatus(status), code: details.code };
}

function openAiWireAdapter(type: ProviderType): ProviderAdapter {
  return {
    type,
    mapRequest: mapOpenAiRequest,
    mapResponse: (body, target) => readChatCompletion(body, target),
    createStreamMapper: createOpenAiStreamMapper,
    mapError: mapOpenAiStyleError,
    mapEmbeddingsRequest: mapOpenAiEmbeddingsRequest,
    mapEmbeddingsResponse: readEmbeddingsResponse,
  };
}

/** api.openai.com. */
export const openAiAdapter = openAiWireAdapter("openai");
/** Any server with the OpenAI wire: Ollama, vLLM, llama.cpp, Groq, Together, Mistral, DeepSeek, OpenRouter. */
export const openAiCompatibleAdapter = openAiWireAdapter("openai-compatible");
/** The local simulated provider (dev/sim-provider), which speaks the OpenAI wire. */
export const simulatedAdapter = openAiWireAdapter("simulated");
