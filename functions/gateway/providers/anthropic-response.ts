// Anthropic Messages answer → OpenAI chat completion: text blocks joined into the message content,
// tool_use blocks into tool_calls, stop_reason into finish_reason, input/output tokens into usage.
// A body that is not a Messages answer is a ProviderProtocolError.
import type { ChatCompletion, ToolCall } from "@llm-edge/shared";
import { z } from "zod";
import { unixSeconds, usageOf, type FinishReason } from "./chunks";
import { toOpenAiFinishReason } from "./openai-wire";
import { ProviderProtocolError } from "./types";

const TokenCount = z.number().int().nonnegative();

export const AnthropicUsageSchema = z.looseObject({
  input_tokens: TokenCount.nullish(),
  output_tokens: TokenCount.nullish(),
  cache_creation_input_tokens: TokenCount.nullish(),
  cache_read_input_tokens: TokenCount.nullish(),
});

const TextBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string() });
const ToolUseBlockSchema = z.looseObject({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.unknown() });

const MessageSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullish(),
  usage: AnthropicUsageSchema,
});

/**
 * Anthropic stop_reason → OpenAI finish_reason: end_turn/stop_sequence → "stop", max_tokens →
 * "length", tool_use → "tool_calls", refusal → "content_filter"; null stays null.
 */
export function finishReasonFor(stopReason: string | null | undefined): FinishReason | null {
  return stopReason === undefined || stopReason === null ? null : toOpenAiFinishReason(stopReason);
}

/** A parse failure as a ProviderProtocolError naming where the body went wrong. */
export function protocolError(what: string, error: z.ZodError): ProviderProtocolError {
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  return new ProviderProtocolError(`The provider's ${what} is not in the Anthropic format${where}: ${issue?.message ?? "invalid"}.`);
}

/**
 * Maps an Anthropic Messages body to an OpenAI chat completion (one choice). Content is the text
 * blocks joined, or null when the answer is only tool calls; thinking and other blocks are dropped;
 * `created` is now (Anthropic does not send it).
 */
export function toChatCompletion(body: unknown, now: number = Date.now()): ChatCompletion {
  const parsed = MessageSchema.safeParse(body);
  if (!parsed.success) throw protocolError("answer", parsed.error);
  const message = parsed.data;
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      const text = TextBlockSchema.safeParse(block);
      if (!text.success) throw protocolError(`content block ${index}`, text.error);
      texts.push(text.data.text);
    } else if (block.type === "tool_use") {
      const toolUse = ToolUseBlockSchema.safeParse(block);
      if (!toolUse.success) throw protocolError(`content block ${index}`, toolUse.error);
      const { id, name, input } = toolUse.data;
      toolCalls.push({ id, type: "function", function: { name, arguments: JSON.stringify(input ?? {}) } });
    }
  });
  const content = texts.length === 0 && toolCalls.length > 0 ? null : texts.join("");
  return {
    id: message.id,
    object: "chat.completion",
    created: unixSeconds(now),
    model: message.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishReasonFor(message.stop_reason) ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
        logprobs: null,
      },
    ],
    usage: usageOf(message.usage.input_tokens ?? 0, message.usage.output_tokens ?? 0),
  };
}
