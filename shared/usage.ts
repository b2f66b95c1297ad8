// Tokens and cost: usage from the provider when it reports it, otherwise an estimate (about four
// characters per token), priced with the config's table (USD per million tokens).
import type { Price } from "./config";
import type { ChatCompletionRequest, Usage } from "./openai";

/** A rough token count for text: ceil(characters / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function messageText(request: ChatCompletionRequest): string {
  return request.messages
    .map((message) => {
      const content = message.content;
      if (typeof content === "string") return content;
      if (Array.isArray(content)) return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join(" ");
      return "";
    })
    .join("\n");
}

/** Usage estimated from the request and the answer's text, for providers that report none. */
export function estimateUsage(request: ChatCompletionRequest, completionText: string): Usage {
  const prompt = estimateTokens(messageText(request));
  const completion = estimateTokens(completionText);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Cost in USD of a call, or undefined when the model has no price. */
export function costUsd(prices: Record<string, Price>, model: string, usage: Usage): number | undefined {
  const price = prices[model];
  if (!price) return undefined;
  return (usage.prompt_tokens * price.input + usage.completion_tokens * price.output) / 1_000_000;
}
