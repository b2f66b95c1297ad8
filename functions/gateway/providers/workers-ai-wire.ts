// What Workers AI text generation answers, for the adapter and its stream mapper: the result
// `{ response, tool_calls?, usage? }` (stream events have the same fields), its two tool-call shapes,
// and their conversion to OpenAI tool calls.
import type { ToolCall, Usage } from "@llm-edge/shared";
import { z } from "zod";
import { usageOf } from "./chunks";

const WorkersAiUsageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative().optional(),
  completion_tokens: z.number().int().nonnegative().optional(),
});

/** A Workers AI tool call: legacy `{ name, arguments: object }` or OpenAI-shaped `{ id, function: { name, arguments } }`. */
const WorkersAiToolCallSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.unknown().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }).optional(),
});
export type WorkersAiToolCall = z.infer<typeof WorkersAiToolCallSchema>;

/** A non-stream result, and also one stream event's data (where `response` is a text piece). */
export const WorkersAiResultSchema = z.looseObject({
  response: z.unknown().optional(),
  tool_calls: z.array(WorkersAiToolCallSchema).nullish(),
  usage: WorkersAiUsageSchema.nullish(),
});

/** OpenAI usage from Workers AI's (possibly partial) usage; total is recomputed. */
export function workersAiUsage(usage: z.infer<typeof WorkersAiUsageSchema>): Usage {
  return usageOf(usage.prompt_tokens ?? 0, usage.completion_tokens ?? 0);
}

/** An OpenAI tool call from a Workers AI one (arguments stringified when the model gave an object); undefined without a name. */
export function toOpenAiToolCall(call: WorkersAiToolCall): ToolCall | undefined {
  const name = call.function?.name ?? call.name;
  if (name === undefined) return undefined;
  const args = call.function ? call.function.arguments : call.arguments;
  return {
    id: call.id ?? `call_${crypto.randomUUID().replaceAll("-", "")}`,
    type: "function",
    function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
  };
}
