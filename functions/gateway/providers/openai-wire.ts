// Reading the OpenAI wire from servers that speak it more or less exactly (OpenAI, Ollama, vLLM,
// llama.cpp, Groq, Together, Mistral, DeepSeek, OpenRouter): common deviations are normalised, the
// result is checked against the shared schemas, and provider extras pass through untouched.
import { ChatCompletionChunkSchema, ChatCompletionSchema, EmbeddingsResponseSchema } from "@llm-edge/shared";
import type { ChatCompletion, ChatCompletionChunk, EmbeddingsResponse } from "@llm-edge/shared";
import type { z } from "zod";
import { unixSeconds, type FinishReason } from "./chunks";
import { isRecord } from "./json";
import { ProviderProtocolError, type ResolvedTarget } from "./types";

const FINISH_REASONS: readonly FinishReason[] = ["stop", "length", "tool_calls", "content_filter", "function_call"];
const LENGTH_ALIASES: ReadonlySet<string> = new Set(["max_tokens", "model_length", "max_output_tokens"]);

function isFinishReason(value: string): value is FinishReason {
  return FINISH_REASONS.some((reason) => reason === value);
}

/** Throws ProviderProtocolError naming the first problem unless `value` matches `schema`. */
function assertShape<T>(schema: z.ZodType<T>, value: unknown, what: string): asserts value is T {
  const result = schema.safeParse(value);
  if (result.success) return;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new ProviderProtocolError(`The provider's ${what} is not in the OpenAI format${where}: ${issue?.message ?? "invalid"}.`);
}

/**
 * Maps any provider's finish/stop reason to OpenAI's: OpenAI values pass, length-like ones
 * ("max_tokens", "model_length") become "length", "tool_use" becomes "tool_calls", "refusal"
 * becomes "content_filter", anything else ("end_turn", "stop_sequence", "eos", …) becomes "stop".
 */
export function toOpenAiFinishReason(reason: string): FinishReason {
  if (isFinishReason(reason)) return reason;
  if (LENGTH_ALIASES.has(reason)) return "length";
  if (reason === "tool_use") return "tool_calls";
  if (reason === "refusal") return "content_filter";
  return "stop";
}

function normaliseFinishReason(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? toOpenAiFinishReason(value) : value;
}

function withoutNullFields(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => !(fields.includes(key) && value === null)));
}

function normaliseFunction(fn: unknown): unknown {
  if (!isRecord(fn) || fn.arguments === undefined || typeof fn.arguments === "string") return fn;
  return { ...fn, arguments: JSON.stringify(fn.arguments) };
}

function normaliseToolCall(call: unknown, index: number, forStream: boolean): unknown {
  if (!isRecord(call)) return call;
  const fixed: Record<string, unknown> = { ...call, function: normaliseFunction(call.function) };
  if (forStream) fixed.index = call.index ?? index;
  else {
    fixed.type = call.type ?? "function";
    fixed.id = call.id ?? `call_${crypto.randomUUID().replaceAll("-", "")}`;
  }
  return fixed;
}

/** Text of a content given as parts (Mistral, some vLLM models): text parts joined, others dropped. */
function contentText(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.map((part) => (isRecord(part) && part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

function normaliseMessage(message: unknown, forStream: boolean): unknown {
  if (!isRecord(message)) return message;
  const fixed = withoutNullFields(message, forStream ? ["role", "tool_calls"] : ["tool_calls"]);
  if (!forStream) {
    fixed.role = message.role ?? "assistant";
    fixed.content = contentText(message.content) ?? null;
  } else if (message.content !== undefined) fixed.content = contentText(message.content);
  if (Array.isArray(message.tool_calls)) {
    if (message.tool_calls.length === 0) delete fixed.tool_calls;
    else fixed.tool_calls = message.tool_calls.map((call, index) => normaliseToolCall(call, index, forStream));
  }
  return fixed;
}

function normaliseChoice(choice: unknown, index: number, forStream: boolean): unknown {
  if (!isRecord(choice)) return choice;
  const field = forStream ? "delta" : "message";
  return {
    ...choice,
    index: choice.index ?? index,
    [field]: normaliseMessage(forStream ? (choice.delta ?? {}) : choice.message, forStream),
    finish_reason: normaliseFinishReason(choice.finish_reason),
  };
}

function normaliseEnvelope(body: Record<string, unknown>, target: ResolvedTarget, object: string, forStream: boolean): Record<string, unknown> {
  const fixed = withoutNullFields(body, forStream ? [] : ["usage"]);
  fixed.id = body.id ?? `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
  fixed.object = body.object ?? object;
  fixed.created = body.created ?? unixSeconds();
  fixed.model = body.model ?? target.model;
  if (Array.isArray(body.choices)) fixed.choices = body.choices.map((choice, index) => normaliseChoice(choice, index, forStream));
  return fixed;
}

/**
 * Reads a provider's chat completion body. Fills what servers commonly leave out (id, object,
 * created, model, message role, null content, tool-call type/id), accepts `usage: null`, content as
 * parts and object-valued tool arguments; then validates. Extras stay as the provider sent them.
 */
export function readChatCompletion(body: unknown, target: ResolvedTarget): ChatCompletion {
  if (!isRecord(body) || !Array.isArray(body.choices)) {
    throw new ProviderProtocolError("The provider's answer is not a chat completion (no choices).");
  }
  const completion = normaliseEnvelope(body, target, "chat.completion", false);
  assertShape(ChatCompletionSchema, completion, "chat completion");
  return completion;
}

/** Normalises and validates one parsed stream chunk with the same tolerance as readChatCompletion (a new object). */
export function normaliseChatCompletionChunk(value: unknown, target: ResolvedTarget): ChatCompletionChunk {
  if (!isRecord(value) || !Array.isArray(value.choices)) {
    throw new ProviderProtocolError("The provider's stream event is not a chat completion chunk (no choices).");
  }
  const chunk = normaliseEnvelope(value, target, "chat.completion.chunk", true);
  assertShape(ChatCompletionChunkSchema, chunk, "stream chunk");
  return chunk;
}

function isCanonicalDelta(delta: unknown): boolean {
  if (!isRecord(delta) || delta.tool_calls !== undefined) return false;
  const { role, content } = delta;
  return (role === undefined || role === "assistant") && (content === undefined || content === null || typeof content === "string");
}

function isCanonicalChoice(choice: unknown): boolean {
  if (!isRecord(choice) || !Number.isSafeInteger(choice.index) || !isCanonicalDelta(choice.delta)) return false;
  const reason = choice.finish_reason;
  return reason === null || (typeof reason === "string" && isFinishReason(reason));
}

/**
 * Whether a chunk is already what normalising would make of it, and valid: the common case for
 * servers that speak the wire exactly (OpenAI, vLLM, the simulator), per event of every stream. No
 * tool calls and no usage figures (those take the full path).
 */
function isCanonicalChunk(value: unknown): value is ChatCompletionChunk {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    value.object === "chat.completion.chunk" &&
    Number.isSafeInteger(value.created) &&
    typeof value.model === "string" &&
    (value.usage === undefined || value.usage === null) &&
    Array.isArray(value.choices) &&
    value.choices.every(isCanonicalChoice)
  );
}

/**
 * Reads one parsed stream chunk: a canonical chunk is returned as it is (the same object), anything
 * else is normalised and validated (`normaliseChatCompletionChunk`).
 */
export function readChatCompletionChunk(value: unknown, target: ResolvedTarget): ChatCompletionChunk {
  return isCanonicalChunk(value) ? value : normaliseChatCompletionChunk(value, target);
}

/** Reads an embeddings body; fills `object` fields and a missing usage (llama.cpp) with zeros. */
export function readEmbeddingsResponse(body: unknown, target: ResolvedTarget): EmbeddingsResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new ProviderProtocolError("The provider's answer is not an embeddings list (no data).");
  }
  const response: Record<string, unknown> = {
    ...body,
    object: body.object ?? "list",
    model: body.model ?? target.model,
    usage: body.usage ?? { prompt_tokens: 0, total_tokens: 0 },
    data: body.data.map((item, index) => (isRecord(item) ? { ...item, object: item.object ?? "embedding", index: item.index ?? index } : item)),
  };
  assertShape(EmbeddingsResponseSchema, response, "embeddings answer");
  return response;
}
