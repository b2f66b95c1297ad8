// SCHEMA_VIOLATION: an answer's content must match the request's response_format (json_object:
// a JSON object; json_schema: its schema) and the policy's outputSchema, checked with
// @cfworker/json-schema (runs on Workers). Compiled validators are cached by schema text.
import type { Validator } from "@cfworker/json-schema";
import { validatorFor } from "@llm-edge/shared/json-schema";
import type { ChatCompletionRequest, Finding } from "@llm-edge/shared";

export interface SchemaViolation {
  finding: Finding;
  /** What is wrong, safe to show (locations and keywords, never values). */
  reason: string;
}

function violation(rule: string, reason: string): SchemaViolation {
  return { finding: { type: "SCHEMA_VIOLATION", start: 0, end: 0, score: 1, check: "schema", rule }, reason };
}

function parseJson(content: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(content) };
  } catch {
    return { ok: false };
  }
}

function firstError(validator: Validator, value: unknown): string | undefined {
  const result = validator.validate(value);
  if (result.valid) return undefined;
  const error = result.errors.at(-1);
  return error ? `${error.instanceLocation || "#"} ${error.keyword}` : "invalid";
}

/**
 * Checks an answer's text content against the request's response_format and the policy's schema.
 * Answers made of tool calls have no content to check. Returns the violations (empty when valid).
 */
export function checkOutputSchema(content: string | null | undefined, request: ChatCompletionRequest, outputSchema: Record<string, unknown> | undefined): SchemaViolation[] {
  const format = request.response_format;
  const wantsJson = format?.type === "json_object" || format?.type === "json_schema" || outputSchema !== undefined;
  if (!wantsJson) return [];
  const parsed = parseJson(content ?? "");
  if (!parsed.ok) return [violation(format?.type === "json_schema" || format?.type === "json_object" ? "response_format" : "output_schema", "the content is not valid JSON")];
  const violations: SchemaViolation[] = [];
  if (format?.type === "json_object" && (parsed.value === null || typeof parsed.value !== "object" || Array.isArray(parsed.value))) {
    violations.push(violation("response_format", "the content is not a JSON object"));
  }
  if (format?.type === "json_schema" && format.json_schema.schema) {
    const error = firstError(validatorFor(format.json_schema.schema), parsed.value);
    if (error) violations.push(violation("response_format", `the content does not match json_schema "${format.json_schema.name}" (${error})`));
  }
  if (outputSchema) {
    const error = firstError(validatorFor(outputSchema), parsed.value);
    if (error) violations.push(violation("output_schema", `the content does not match the policy's output schema (${error})`));
  }
  return violations;
}
