// Where the text of a chat request or answer lives, and how to rewrite it: string contents, text
// parts, and tool-call arguments (JSON: each string value separately, so a redaction can never break
// the JSON). A visitor sees each text with its path and scan scope and returns its replacement.
import type { ChatCompletion, ChatCompletionRequest, ChatMessage, ToolCall } from "@llm-edge/shared";
import type { ScanScope } from "./engine";

/** Sees one text; returns it unchanged or rewritten. */
export type TextVisitor = (text: string, path: string, scope: ScanScope) => string;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mapJsonStrings(value: unknown, path: string, scope: ScanScope, visit: TextVisitor): unknown {
  if (typeof value === "string") return visit(value, path, scope);
  if (Array.isArray(value)) return value.map((item, index) => mapJsonStrings(item, `${path}[${index}]`, scope, visit));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapJsonStrings(item, `${path}.${key}`, scope, visit)]));
  return value;
}

/** Tool-call arguments: JSON string values one by one (re-serialized only if one changed), else the raw text. */
export function mapArguments(text: string, path: string, scope: ScanScope, visit: TextVisitor): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return visit(text, path, scope);
  }
  let changed = false;
  const mapped = mapJsonStrings(value, path, scope, (inner, innerPath, innerScope) => {
    const result = visit(inner, innerPath, innerScope);
    if (result !== inner) changed = true;
    return result;
  });
  return changed ? JSON.stringify(mapped) : text;
}

function mapToolCalls(toolCalls: ToolCall[] | undefined, path: string, scope: ScanScope, visit: TextVisitor): ToolCall[] | undefined {
  return toolCalls?.map((call, index) => ({
    ...call,
    function: { ...call.function, arguments: mapArguments(call.function.arguments, `${path}.tool_calls[${index}].function.arguments`, scope, visit) },
  }));
}

function mapContent(content: unknown, path: string, scope: ScanScope, visit: TextVisitor): unknown {
  if (typeof content === "string") return visit(content, path, scope);
  if (!Array.isArray(content)) return content;
  return content.map((part: unknown, index) =>
    isRecord(part) && part.type === "text" && typeof part.text === "string" ? { ...part, text: visit(part.text, `${path}[${index}].text`, scope) } : part,
  );
}

/**
 * The request with every message's text passed through `visit`. User and tool messages are
 * untrusted ("all" checks); system, developer and assistant messages were written by the caller or
 * the model ("data": personal data and secrets only).
 */
export function mapRequestTexts(request: ChatCompletionRequest, visit: TextVisitor): ChatCompletionRequest {
  const messages = request.messages.map((message, index): ChatMessage => {
    const scope: ScanScope = message.role === "user" || message.role === "tool" ? "all" : "data";
    const path = `messages[${index}]`;
    const mapped = { ...message, content: mapContent(message.content, `${path}.content`, scope, visit) };
    if (message.role === "assistant" && message.tool_calls) {
      return { ...mapped, tool_calls: mapToolCalls(message.tool_calls, path, scope, visit) } as ChatMessage;
    }
    return mapped as ChatMessage;
  });
  return { ...request, messages };
}

/** The completion with every choice's content and tool-call arguments passed through `visit` ("all" checks). */
export function mapCompletionTexts(completion: ChatCompletion, visit: TextVisitor): ChatCompletion {
  return {
    ...completion,
    choices: completion.choices.map((choice, index) => {
      const path = `choices[${index}].message`;
      const content = choice.message.content === null ? null : visit(choice.message.content, `${path}.content`, "all");
      const toolCalls = mapToolCalls(choice.message.tool_calls, path, "all", visit);
      return { ...choice, message: { ...choice.message, content, ...(toolCalls ? { tool_calls: toolCalls } : {}) } };
    }),
  };
}
