// The OpenAI-compatible API: /v1/chat/completions (JSON or SSE), /v1/embeddings and /v1/models,
// chat through the shared pipeline (guardrails, cache, gateway), embeddings and models straight from
// the gateway Worker over RPC. Bodies are validated here, so bad input never reaches a Worker behind.
import { Hono } from "hono";
import { ChatCompletionRequestSchema, EmbeddingsRequestSchema, GatewayError, errorResponse, runPipeline, type CallFailure, type PipelineInput } from "@llm-edge/shared";
import { withStreamFigures } from "../answer-figures";
import { readJsonBody } from "../body";
import { parseCacheControl } from "../cache-control";
import { edgeConfig } from "../config";
import { gatewayHeaders, pipelineHeaders } from "../gateway-headers";
import { observedChat, observedEmbeddings } from "../observe";
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
    const cacheControl = parseCacheControl(c.req.header("x-gateway-cache-control"));
    const reviewId = c.req.header("x-gateway-review-id");
    const config = edgeConfig(c.env);
    // c.get, not c.var: Hono builds a fresh object of all variables on every c.var access.
    const input: PipelineInput = {
      tenant: c.get("tenant"),
      request,
      traceparent: c.get("traceparent"),
      ...(override ? { targetOverride: override } : {}),
      ...(cacheControl ? { cacheControl } : {}),
      ...(reviewId ? { reviewId } : {}),
      ...(config ? { config } : {}),
    };
    const result = await runPipeline(patternWorkers(c.env), input, (work) => c.executionCtx.waitUntil(work));
    c.set("observed", observedChat(request, result));
    const headers = pipelineHeaders(result.meta);
    if (!result.ok) {
      if (result.retryAfterSeconds !== undefined) headers["retry-after"] = String(result.retryAfterSeconds);
      return errorResponse(GatewayError.fromBody(result.error, result.status), headers);
    }
    if ("stream" in result) {
      const streamHeaders = new Headers({ ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
      const stream = withStreamFigures(c, streamHeaders, result.stream, result.copy, { request, prices: config?.prices ?? {} });
      return new Response(stream, { headers: streamHeaders });
    }
    return new Response(JSON.stringify(result.completion), { headers: { ...headers, "content-type": "application/json" } });
  })
  .post("/embeddings", async (c) => {
    const request = await readJsonBody(c, EmbeddingsRequestSchema);
    const result = await patternWorkers(c.env).gateway.embeddings({ traceparent: c.var.traceparent }, { request, tenant: c.var.tenant });
    c.set("observed", observedEmbeddings(request, result));
    if (!result.ok) return failureResponse(result);
    return c.json(result.response, 200, gatewayHeaders(result.meta));
  })
  .get("/models", async (c) => c.json(await patternWorkers(c.env).gateway.models({ traceparent: c.var.traceparent })));
