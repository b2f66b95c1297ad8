// Skip rules: which requests the cache does not look up or store (BYPASS with a reason), and which
// answers it does not keep. Checked on lookup and again on store, so a direct store call obeys them.
import { cacheEnabledFor, type CacheConfig, type CacheControl, type ChatCompletion, type ChatCompletionRequest } from "@llm-edge/shared";

/**
 * Why this request is not served from the cache, or undefined when it may be. Order: cache off
 * (the model alias's setting wins over the global one), refresh requested, several choices, temperature above the limit.
 */
export function bypassReason(config: CacheConfig, request: ChatCompletionRequest, control?: CacheControl): string | undefined {
  if (!cacheEnabledFor(config, request.model)) return "disabled";
  if (control?.refresh) return "refresh";
  if ((request.n ?? 1) > 1) return "n_gt_1";
  if (typeof request.temperature === "number" && request.temperature > config.maxTemperature) return "temperature_above_limit";
  return undefined;
}

/**
 * Why this answer is not stored, or undefined when it may be: it must be one complete choice that
 * stopped normally ("stop" or "length"), with text, no refusal and no tool calls. Tool-call answers
 * are not cached: they are one step of an agent loop whose replay would repeat tool_call ids and
 * actions; the next request (with the tool results) is not a user turn and is bypassed anyway.
 */
export function completionSkipReason(completion: ChatCompletion): string | undefined {
  if (completion.choices.length !== 1) return completion.choices.length === 0 ? "no_choices" : "n_gt_1";
  const [choice] = completion.choices;
  if (!choice) return "no_choices";
  if (choice.finish_reason === "content_filter") return "content_filter";
  if (choice.finish_reason === null) return "incomplete";
  if (choice.finish_reason === "tool_calls" || choice.finish_reason === "function_call" || (choice.message.tool_calls?.length ?? 0) > 0) return "tool_calls";
  if (choice.message.refusal) return "refusal";
  if (!choice.message.content) return "empty";
  return undefined;
}
