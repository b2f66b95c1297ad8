// Workers AI adapter: no HTTP, the AI binding runs the model. send() calls AI.run with Workers AI's
// text-generation input and wraps the result in a Response (JSON, or SSE when streaming) so the
// executor treats it like any provider; mapResponse turns `{ response, tool_calls?, usage? }` into a
// chat completion; binding failures become HTTP-like error answers.
import { GatewayError } from "@llm-edge/shared";
import type { ChatCompletion, ChatCompletionRequest, ChatMessage } from "@llm-edge/shared";
import { unixSeconds } from "./chunks";
import { isRecord } from "./json";
import { mapOpenAiStyleError } from "./openai-compatible";
import { readChatCompletion } from "./openai-wire";
import { ProviderProtocolError, type ProviderAdapter, type ProviderBindings, type ResolvedTarget } from "./types";
import { createWorkersAiStreamMapper } from "./workers-ai-stream";
import { toOpenAiToolCall, workersAiUsage, WorkersAiResultSchema } from "./workers-ai-wire";

/** HTTP status for Workers AI's internal error codes (developers.cloudflare.com/workers-ai/platform/errors). */
const STATUS_BY_AI_CODE: Record<string, number> = {
  "5007": 400, "5004": 400, "3039": 400, "3003": 400, "5005": 400, "5019": 400,
  "5018": 403, "5016": 403, "3023": 403, "3041": 403,
  "3042": 404, "3006": 413, "3007": 408, "3008": 408, "3036": 429, "3040": 429,
};

function textOf(content: string | readonly unknown[] | null | undefined, param: string): string {
  if (typeof content === "string" || content === null || content === undefined) return content ?? "";
  return content
    .map((part, index) => {
      if (isRecord(part) && part.type === "text" && typeof part.text === "string") return part.text;
      throw new GatewayError("Workers AI text models take text content only.", { type: "invalid_request_error", param: `${param}[${index}]`, code: "unsupported_content" });
    })
    .join("");
}

function toWorkersAiMessage(message: ChatMessage, index: number): Record<string, unknown> {
  const param = `messages[${index}].content`;
  switch (message.role) {
    case "system":
    case "developer":
      return { role: "system", content: textOf(message.content, param) };
    case "user":
      return { role: "user", content: textOf(message.content, param) };
    case "assistant":
      return { role: "assistant", content: textOf(message.content, param), ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}) };
    case "tool":
      return { role: "tool", content: textOf(message.content, param), tool_call_id: message.tool_call_id };
  }
}

/**
 * The AI.run input for a chat request: messages (text only; developer → system), stream, max_tokens
 * (max_completion_tokens wins), temperature, top_p, seed, penalties, tools (OpenAI shape, which
 * Workers AI accepts) and JSON mode. `n > 1` is refused with a 400.
 */
export function workersAiInputs(request: ChatCompletionRequest): Record<string, unknown> {
  if ((request.n ?? 1) > 1) {
    throw new GatewayError("Workers AI returns one choice per request; 'n' must be 1.", { type: "invalid_request_error", param: "n", code: "unsupported_parameter" });
  }
  const inputs: Record<string, unknown> = { messages: request.messages.map(toWorkersAiMessage), stream: request.stream === true };
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const optional = { max_tokens: maxTokens, temperature: request.temperature, top_p: request.top_p, seed: request.seed, frequency_penalty: request.frequency_penalty, presence_penalty: request.presence_penalty };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined && value !== null) inputs[name] = value;
  if (request.tools !== undefined && request.tools.length > 0) inputs.tools = request.tools;
  const format = request.response_format;
  if (format?.type === "json_object") inputs.response_format = { type: "json_object" };
  if (format?.type === "json_schema") inputs.response_format = { type: "json_schema", json_schema: format.json_schema.schema ?? {} };
  return inputs;
}

/**
 * Maps a Workers AI result to a chat completion. OpenAI-shaped results (newer models answer with
 * `choices`) are read as such; the classic `{ response, tool_calls?, usage? }` is wrapped (an object
 * `response`, from JSON mode, is serialised). Anything else is a ProviderProtocolError.
 */
export function workersAiCompletion(body: unknown, target: ResolvedTarget, now: number = Date.now()): ChatCompletion {
  if (isRecord(body) && Array.isArray(body.choices)) return readChatCompletion(body, target);
  const parsed = WorkersAiResultSchema.safeParse(body);
  if (!parsed.success || (parsed.data.response === undefined && !parsed.data.tool_calls?.length)) {
    throw new ProviderProtocolError("Workers AI answered without a response or tool calls.");
  }
  const { response, usage } = parsed.data;
  const toolCalls = (parsed.data.tool_calls ?? []).flatMap((call) => toOpenAiToolCall(call) ?? []);
  const text = typeof response === "string" ? response : response === undefined || response === null ? "" : JSON.stringify(response);
  return {
    id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`,
    object: "chat.completion",
    created: unixSeconds(now),
    model: target.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: toolCalls.length > 0 && text === "" ? null : text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
        logprobs: null,
      },
    ],
    ...(usage ? { usage: workersAiUsage(usage) } : {}),
  };
}

/** An error the binding threw, as the HTTP answer a REST call would have given (status from its code). */
function errorAnswer(error: unknown): Response {
  const message = error instanceof Error ? error.message : String(error);
  const code = /\b([35]\d{3})\b/.exec(message)?.[1];
  const status = (code !== undefined ? STATUS_BY_AI_CODE[code] : undefined) ?? 502;
  return Response.json({ error: { message: message || "Workers AI failed.", code: code ?? null } }, { status });
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

async function send(request: ChatCompletionRequest, target: ResolvedTarget, bindings: ProviderBindings, signal: AbortSignal): Promise<Response> {
  const ai = bindings.AI;
  if (ai === undefined) throw new GatewayError("Workers AI binding not configured", { type: "service_unavailable", code: "workers_ai_unavailable" });
  const inputs = workersAiInputs(request);
  signal.throwIfAborted();
  let result: unknown;
  try {
    // The binding may not honour the signal: the race makes an abort (timeout) take effect at once.
    result = await Promise.race([ai.run(target.model, inputs, { signal }), rejectOnAbort(signal)]);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return errorAnswer(error);
  }
  if (result instanceof ReadableStream) return new Response(result, { headers: { "content-type": "text/event-stream" } });
  return Response.json(typeof result === "string" ? { response: result } : result);
}

/** Workers AI through the `AI` binding. mapRequest describes the call (pseudo-URL `workers-ai:<model>`, the AI.run input). */
export const workersAiAdapter: ProviderAdapter = {
  type: "workers-ai",
  mapRequest: (request, target) => ({ url: `workers-ai:${target.model}`, headers: {}, body: workersAiInputs(request) }),
  mapResponse: (body, target) => workersAiCompletion(body, target),
  createStreamMapper: createWorkersAiStreamMapper,
  mapError: mapOpenAiStyleError,
  send,
};
