// What an internal pattern Worker answers to plain HTTP: nothing useful. They are reached over RPC.
import { GatewayError, errorResponse } from "@llm-edge/shared";

export function internalOnly(): Response {
  return errorResponse(new GatewayError("This Worker is internal; call it through a service binding.", { type: "not_found_error", code: "internal_worker" }));
}
