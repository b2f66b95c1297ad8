// Output validation: an answer must not be empty, and with response_format json_schema its content
// must parse and conform to the schema (@cfworker/json-schema: runs on Workers, unlike ajv).
import { validatorFor } from "@llm-edge/shared/json-schema";
import type { ChatCompletion, ChatCompletionRequest, OutputValidation } from "@llm-edge/shared";

export type OutputCheck = { valid: true } | { valid: false; reason: string };

/** Checks a text answer against the request's response_format (used for streams once assembled, too). */
export function checkContent(content: string | null | undefined, hasToolCalls: boolean, request: ChatCompletionRequest, policy: OutputValidation): OutputCheck {
  if (policy.nonEmpty && !hasToolCalls && !content?.trim()) return { valid: false, reason: "empty content" };
  const format = request.response_format;
  if (!policy.jsonSchema || hasToolCalls || (format?.type !== "json_schema" && format?.type !== "json_object")) return { valid: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content ?? "");
  } catch {
    return { valid: false, reason: "content is not valid JSON" };
  }
  if (format.type === "json_object") {
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? { valid: true } : { valid: false, reason: "content is not a JSON object" };
  }
  const schema = format.json_schema.schema;
  if (!schema) return { valid: true };
  const result = validatorFor(schema).validate(parsed);
  if (result.valid) return { valid: true };
  const first = result.errors.at(-1);
  return { valid: false, reason: `content does not match json_schema "${format.json_schema.name}": ${first ? `${first.instanceLocation} ${first.error}` : "invalid"}` };
}

/** Checks every choice of a completion. */
export function checkCompletion(completion: ChatCompletion, request: ChatCompletionRequest, policy: OutputValidation): OutputCheck {
  for (const choice of completion.choices) {
    const check = checkContent(choice.message.content, Boolean(choice.message.tool_calls?.length), request, policy);
    if (!check.valid) return check;
  }
  return completion.choices.length > 0 ? { valid: true } : { valid: false, reason: "no choices" };
}
