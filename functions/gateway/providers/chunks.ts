// Building OpenAI stream chunks for adapters that translate another wire (Anthropic, Workers AI):
// the chunk head (id, created, model), delta chunks, the usage-only chunk and the rule for when a
// client gets that usage chunk.
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Usage } from "@llm-edge/shared";

export type FinishReason = NonNullable<ChatCompletion["choices"][number]["finish_reason"]>;
export type ChunkDelta = ChatCompletionChunk["choices"][number]["delta"];

/** The fields every chunk of one stream shares. */
export interface ChunkHead {
  id: string;
  created: number;
  model: string;
}

/** Seconds since the epoch, as OpenAI stamps `created`. */
export function unixSeconds(now: number = Date.now()): number {
  return Math.floor(now / 1000);
}

/** A chunk with one choice (index 0) carrying `delta`, and a finish reason on the last one. */
export function deltaChunk(head: ChunkHead, delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
  return { ...head, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

/** The usage-only chunk OpenAI sends last when the client asked for `stream_options.include_usage`. */
export function usageChunk(head: ChunkHead, usage: Usage): ChatCompletionChunk {
  return { ...head, object: "chat.completion.chunk", choices: [], usage };
}

/**
 * Whether the client itself asked for the usage chunk. Adapters always learn the usage (the executor
 * needs it for cost) but only show the usage-only chunk to clients that asked, as OpenAI does.
 */
export function clientWantsUsage(request: ChatCompletionRequest): boolean {
  return request.stream_options?.include_usage === true;
}

/** Usage from prompt and completion token counts. */
export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** Where a chunk that passed through unchanged keeps the provider's own JSON text (see `keepProviderJson`). */
const PROVIDER_JSON = Symbol("providerJson");

/**
 * Remembers that `chunk` is exactly what the provider sent as `json`, so the client gets that text
 * instead of a re-serialisation (the same JSON value, without serialising every event of every
 * stream again). A non-enumerable symbol-keyed property: copies of the chunk, JSON, structured
 * clone and RPC never carry it. Data of several lines is not kept: as one `data:` line it would break
 * the framing.
 */
export function keepProviderJson(chunk: ChatCompletionChunk, json: string): void {
  if (!json.includes("\n")) Object.defineProperty(chunk, PROVIDER_JSON, { value: json });
}

/** A chunk's JSON for the client's SSE: the provider's own text when it passed through unchanged. */
export function chunkJson(chunk: ChatCompletionChunk): string {
  return (Reflect.get(chunk, PROVIDER_JSON) as string | undefined) ?? JSON.stringify(chunk);
}
