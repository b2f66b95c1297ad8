// The OpenAI-compatible API: /v1/chat/completions (JSON or SSE), /v1/embeddings and /v1/models,
// answered by the gateway Worker over RPC. Bodies are validated here, so bad input never reaches it.
import { Hono } from "hono";
import { ChatCompletionRequestSchema, EmbeddingsRequestSchema, GatewayError, errorResponse, type CallFailure } from "@llm-edge/shared";
import { readJsonBody } from "../body";
import { gatewayHeaders } from "../gateway-headers";
import type { EdgeEnv } from "../types";
import { patternWorkers } from "../workers";

function failureResponse(failure: CallFailure): Response {
  const headers = new Headers(gatewayHeaders(failure.meta));
  if (failure.retryAfterSeconds !== undefined) headers.set("retry-after", String(failure.retryAfterSeconds));
  return errorResponse(GatewayError.fromBody(failure.error, failure.status), headers);
}

/** Parses the x-gateway-targets override ("provider/model, provider/model"); the gateway checks each id against its config. */
function targetOverride(header: string | undefined): string[] | undefined {
  const ids = header?.split(",").map((id) => id.trim()).filter(Boolean);
  return ids?.length ? ids : undefined;
}

export const openaiRoutes = new Hono<EdgeEnv>()
  .post("/chat/completions", async (c) => {
    const request = await readJsonBody(c, ChatCompletionRequestSchema);
    const override = targetOverride(c.req.header("x-gateway-targets"));
    const result = await patternWorkers(c.env).gateway.chat({ traceparent: c.var.traceparent }, { request, tenant: c.var.tenant, ...(override ? { targetOverride: override } : {}) });
    if (!result.ok) return failureResponse(result);
    const headers = gatewayHeaders(result.meta);
    if ("stream" in result) {
      return new Response(result.stream, {
        headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" },
      });
    }
    return c.json(result.completion, 200, headers);
  })
  .post("/embeddings", async (c) => {
    const request = await readJsonBody(c, EmbeddingsRequestSchema);
    const result = await patternWorkers(c.env).gateway.embeddings({ traceparent: c.var.traceparent }, { request, tenant: c.var.tenant });
    if (!result.ok) return failureResponse(result);
    return c.json(result.response, 200, gatewayHeaders(result.meta));
  })
  .get("/models", async (c) => c.json(await patternWorkers(c.env).gateway.models({ traceparent: c.var.traceparent })));
