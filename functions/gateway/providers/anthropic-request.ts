// OpenAI chat request → Anthropic Messages request: system messages hoisted, content blocks (text,
// images, tool_use, tool_result), consecutive same-role turns merged (Anthropic needs alternation),
// tools and tool_choice, and the parameters Anthropic names or bounds differently. Input Anthropic
// cannot take is a GatewayError 400 naming the parameter.
import { GatewayError } from "@llm-edge/shared";
import type { ChatCompletionRequest, ChatMessage } from "@llm-edge/shared";
import { isRecord } from "./json";

export const DEFAULT_MAX_TOKENS = 4096;

export type AnthropicImageSource = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };

export type AnthropicContentBlock =
  | { type: "text"; text: string }
  | { type: "image"; source: AnthropicImageSource }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; tool_use_id: string; content?: string };

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: AnthropicContentBlock[];
}

export type AnthropicToolChoice =
  | { type: "auto" | "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  stream?: boolean;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
}

type ToolChoice = ChatCompletionRequest["tool_choice"];
type ResponseFormat = ChatCompletionRequest["response_format"];

function invalidParam(message: string, param: string, code = "invalid_value"): GatewayError {
  return new GatewayError(message, { type: "invalid_request_error", param, code });
}

function textOf(content: string | readonly unknown[] | null | undefined): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
}

function textBlocks(text: string): AnthropicContentBlock[] {
  // Anthropic rejects empty and whitespace-only text blocks.
  return text.trim() === "" ? [] : [{ type: "text", text }];
}

function imageBlock(url: string, param: string): AnthropicContentBlock {
  if (url.startsWith("data:")) {
    const match = /^data:([^;,]+);base64,(.+)$/s.exec(url);
    if (!match?.[1] || !match[2]) throw invalidParam("Image data URLs must be base64: data:<media type>;base64,<data>.", param);
    // Anthropic knows image/jpeg, not the common alias image/jpg.
    const mediaType = match[1] === "image/jpg" ? "image/jpeg" : match[1];
    return { type: "image", source: { type: "base64", media_type: mediaType, data: match[2] } };
  }
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  throw invalidParam("Image URLs must be http(s) URLs or base64 data URLs.", param);
}

function userBlocks(content: string | readonly unknown[], messageIndex: number): AnthropicContentBlock[] {
  if (typeof content === "string") return textBlocks(content);
  return content.flatMap((part, partIndex): AnthropicContentBlock[] => {
    const param = `messages[${messageIndex}].content[${partIndex}]`;
    if (isRecord(part) && part.type === "text" && typeof part.text === "string") return textBlocks(part.text);
    if (isRecord(part) && part.type === "image_url" && isRecord(part.image_url) && typeof part.image_url.url === "string") {
      return [imageBlock(part.image_url.url, `${param}.image_url.url`)];
    }
    const type = isRecord(part) && typeof part.type === "string" ? part.type : "unknown";
    throw invalidParam(`Content parts of type '${type}' are not supported by Anthropic models.`, `${param}.type`, "unsupported_content");
  });
}

function toolInput(argumentsText: string, param: string): Record<string, unknown> {
  if (argumentsText.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(argumentsText);
  } catch {
    throw invalidParam("Tool call arguments must be a JSON object, and this is not valid JSON.", param);
  }
  if (!isRecord(value)) throw invalidParam("Tool call arguments must be a JSON object.", param);
  return value;
}

function assistantBlocks(message: Extract<ChatMessage, { role: "assistant" }>, messageIndex: number): AnthropicContentBlock[] {
  const toolUses = (message.tool_calls ?? []).map((call, callIndex): AnthropicContentBlock => ({
    type: "tool_use",
    id: call.id,
    name: call.function.name,
    input: toolInput(call.function.arguments, `messages[${messageIndex}].tool_calls[${callIndex}].function.arguments`),
  }));
  return [...textBlocks(textOf(message.content)), ...toolUses];
}

/** Appends a turn, merging it into the previous one when both have the same role. */
function appendTurn(turns: AnthropicMessage[], role: AnthropicMessage["role"], blocks: AnthropicContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (last?.role === role) last.content.push(...blocks);
  else turns.push({ role, content: [...blocks] });
}

/** Anthropic wants a user turn's tool_result blocks before any other content. */
function toolResultsFirst(turn: AnthropicMessage): AnthropicMessage {
  if (turn.role !== "user") return turn;
  const results = turn.content.filter((block) => block.type === "tool_result");
  return results.length === 0 ? turn : { role: "user", content: [...results, ...turn.content.filter((block) => block.type !== "tool_result")] };
}

/**
 * Splits OpenAI messages into Anthropic's `system` text (system and developer messages, joined by
 * blank lines) and alternating user/assistant turns: tool messages become tool_result blocks in a
 * user turn, assistant tool_calls become tool_use blocks, and consecutive same-role turns merge.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system: string[]; turns: AnthropicMessage[] } {
  const system: string[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(message.content);
        if (text.trim() !== "") system.push(text);
        return;
      }
      case "user":
        return appendTurn(turns, "user", userBlocks(message.content, index));
      case "assistant":
        return appendTurn(turns, "assistant", assistantBlocks(message, index));
      case "tool": {
        const content = textOf(message.content);
        appendTurn(turns, "user", [{ type: "tool_result", tool_use_id: message.tool_call_id, ...(content === "" ? {} : { content }) }]);
        return;
      }
    }
  });
  return { system, turns: turns.map(toolResultsFirst) };
}

/**
 * OpenAI tool_choice → Anthropic: "auto" → auto, "required" → any, "none" → none, a named function
 * → tool. `parallel_tool_calls: false` becomes `disable_parallel_tool_use` (not on "none").
 */
export function toAnthropicToolChoice(choice: ToolChoice, parallelToolCalls?: boolean): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", ...disableParallel };
  if (typeof choice === "object") return { type: "tool", name: choice.function.name, ...disableParallel };
  if (choice === "auto" || parallelToolCalls === false) return { type: "auto", ...disableParallel };
  return undefined;
}

/** The system-prompt instruction standing in for response_format (Anthropic has none). */
export function responseFormatInstruction(format: ResponseFormat): string | undefined {
  if (format === undefined || format.type === "text") return undefined;
  if (format.type === "json_object") return "Respond with a single valid JSON object and nothing else: no prose, no code fences.";
  const schema = JSON.stringify(format.json_schema.schema ?? {});
  return `Respond with a single valid JSON value and nothing else (no prose, no code fences). It must conform to this JSON Schema named "${format.json_schema.name}":\n${schema}`;
}

/**
 * Builds the Anthropic Messages body for an OpenAI chat request (see the header for the mapping).
 * max_tokens defaults to 4096 (Anthropic requires it); temperature is clamped to Anthropic's 0-1;
 * `n > 1` is refused with a 400 because Anthropic returns one answer per request.
 */
export function toAnthropicRequest(request: ChatCompletionRequest, model: string): AnthropicRequestBody {
  if ((request.n ?? 1) > 1) throw invalidParam("Anthropic models return one choice per request; 'n' must be 1.", "n", "unsupported_parameter");
  const { system, turns } = toAnthropicMessages(request.messages);
  const instruction = responseFormatInstruction(request.response_format);
  if (instruction !== undefined) system.push(instruction);
  const body: AnthropicRequestBody = {
    model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages: turns,
  };
  if (system.length > 0) body.system = system.join("\n\n");
  if (request.stop !== undefined && request.stop !== null) body.stop_sequences = typeof request.stop === "string" ? [request.stop] : request.stop;
  if (request.temperature !== undefined && request.temperature !== null) body.temperature = Math.min(request.temperature, 1);
  if (request.top_p !== undefined && request.top_p !== null) body.top_p = request.top_p;
  if (request.stream === true) body.stream = true;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
      input_schema: tool.function.parameters ?? { type: "object", properties: {} },
    }));
    const parallel = typeof request.parallel_tool_calls === "boolean" ? request.parallel_tool_calls : undefined;
    const toolChoice = toAnthropicToolChoice(request.tool_choice, parallel);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
  }
  return body;
}
