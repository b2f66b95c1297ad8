// Provider-style error bodies for the two wires the simulator speaks.
// OpenAI: {"error":{"message","type","param","code"}}; Anthropic: {"type":"error","error":{"type","message"}}.
import type { z } from "zod";

export type Wire = "openai" | "anthropic";

export interface WireError {
  status: number;
  message: string;
  /** OpenAI `param` (the offending field), when known. */
  param?: string | null;
  /** OpenAI `code`, when a more specific one than the type fits. */
  code?: string | null;
}

function openAiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

function anthropicType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

function defaultCode(status: number): string | null {
  if (status === 429) return "rate_limit_exceeded";
  return null;
}

/** The error body a real provider of `wire` would send for `error`. */
export function errorBody(wire: Wire, error: WireError, requestId: string): unknown {
  if (wire === "anthropic") {
    return { type: "error", error: { type: anthropicType(error.status), message: error.message }, request_id: requestId };
  }
  return {
    error: {
      message: error.message,
      type: openAiType(error.status),
      param: error.param ?? null,
      code: error.code ?? defaultCode(error.status),
    },
  };
}

/** The message a provider would give for a simulated outage with this status. */
export function faultMessage(status: number, model: string): string {
  if (status === 429) return `[simulated] Rate limit reached for ${model}. Please try again later.`;
  if (status === 529) return `[simulated] Overloaded`;
  if (status >= 500) return `[simulated] The server had an error while processing your request (${model}).`;
  return `[simulated] Request rejected with status ${status} for ${model}.`;
}

function pathOf(issue: z.ZodError["issues"][number]): string {
  return issue.path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** A 400 WireError describing the first zod issue, worded like each wire words validation errors. */
export function validationError(wire: Wire, error: z.ZodError): WireError {
  const issue = error.issues[0];
  if (!issue) return { status: 400, message: "Invalid request body." };
  const param = pathOf(issue) || null;
  if (wire === "anthropic") return { status: 400, message: `${param ?? "body"}: ${issue.message}` };
  return {
    status: 400,
    message: `Invalid value for '${param ?? "body"}': ${issue.message}`,
    param,
    code: issue.code === "invalid_type" ? "invalid_type" : "invalid_value",
  };
}
