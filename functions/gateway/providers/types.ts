// The one interface every provider adapter implements: OpenAI-shaped requests in, the provider's wire
// out, and the provider's answers (JSON or SSE events) mapped back to OpenAI shapes. Transport,
// retries, timeouts and fallback live in the gateway's executor, not here.
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, EmbeddingsRequest, EmbeddingsResponse, ErrorType, SseEvent, Usage } from "@llm-edge/shared";

export type ProviderType = "openai" | "anthropic" | "openai-compatible" | "workers-ai" | "simulated";

/** A configured target with its provider settings resolved (base URL and key read from env). */
export interface ResolvedTarget {
  /** Stable id used for breakers, headers and overrides: "<provider name>/<model>". */
  id: string;
  provider: string;
  type: ProviderType;
  /** The model name the provider expects. */
  model: string;
  /** Base URL including the version path, e.g. "https://api.openai.com/v1"; absent for workers-ai. */
  baseUrl?: string;
  /** The API key value; never logged, never echoed. */
  apiKey?: string;
  /** Extra headers from config (e.g. anthropic-version override, OpenRouter's HTTP-Referer). */
  headers?: Record<string, string>;
}

/** An HTTP request to a provider, before it is sent. */
export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** What a provider's error body means, in OpenAI terms; the message is safe to show a client. */
export interface ProviderErrorInfo {
  message: string;
  type: ErrorType;
  code: string | null;
}

/** One step of a stream: the OpenAI chunks to emit, whether the provider said the stream ended, and usage when known. */
export interface StreamStep {
  chunks: ChatCompletionChunk[];
  done: boolean;
  usage?: Usage;
}

/** Per-stream state (ids, tool-call indexes, usage so far) owned by the adapter. */
export interface StreamMapper {
  mapStreamChunk(event: SseEvent): StreamStep;
}

/** Bindings an adapter may use besides fetch (Workers AI). */
export interface ProviderBindings {
  AI?: Ai;
}

export interface ProviderAdapter {
  readonly type: ProviderType;
  /** Maps an OpenAI chat request to the provider's HTTP request (stream flag and model included). */
  mapRequest(request: ChatCompletionRequest, target: ResolvedTarget): ProviderRequest;
  /** Maps a successful (2xx) JSON body to an OpenAI chat completion; throws ProviderProtocolError when it is not the provider's shape. */
  mapResponse(body: unknown, target: ResolvedTarget, request: ChatCompletionRequest): ChatCompletion;
  /** Starts mapping one stream of the provider's SSE events to OpenAI chunks. */
  createStreamMapper(target: ResolvedTarget, request: ChatCompletionRequest): StreamMapper;
  /**
   * Explains a non-2xx answer (status and raw body text) in OpenAI terms, without leaking keys. With
   * the target, its API key is redacted wherever it appears; bearer tokens and key-shaped strings always are.
   */
  mapError(status: number, bodyText: string, target?: ResolvedTarget): ProviderErrorInfo;
  /**
   * Sends the request. Optional: HTTP providers use the shared fetch transport; Workers AI answers
   * through its binding and wraps the result in a Response (SSE body when streaming).
   */
  send?(request: ChatCompletionRequest, target: ResolvedTarget, bindings: ProviderBindings, signal: AbortSignal): Promise<Response>;
  /** Embeddings, for providers that have them. */
  mapEmbeddingsRequest?(request: EmbeddingsRequest, target: ResolvedTarget): ProviderRequest;
  mapEmbeddingsResponse?(body: unknown, target: ResolvedTarget): EmbeddingsResponse;
}

/** A 2xx answer whose body is not what the provider's wire format promises (malformed JSON or shape). */
export class ProviderProtocolError extends Error {
  override readonly name = "ProviderProtocolError";
}
