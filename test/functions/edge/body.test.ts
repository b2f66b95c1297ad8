// Request bodies through a Hono route, as the edge reads them: with a declared length (read in one
// go) and streamed without one (counted as it arrives), both held to the size limit; bad JSON and
// schema failures as OpenAI-style 400s naming the parameter.
import { Hono } from "hono";
import { ChatCompletionRequestSchema, GatewayError, errorResponse, type ErrorBody } from "@llm-edge/shared";
import { describe, expect, it } from "vitest";
import { readJsonBody } from "../../../functions/edge/body";

const LIMIT = 1_000;

const app = new Hono()
  .post("/chat", async (c) => {
    const request = await readJsonBody(c, ChatCompletionRequestSchema, LIMIT);
    return c.json({ model: request.model, messages: request.messages.length });
  })
  .onError((error) => errorResponse(error instanceof GatewayError ? error : new GatewayError("unexpected", { type: "server_error", code: "internal_error" })));

const valid = JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }] });

/** A body without a content-length: a stream of the text in pieces of `pieceSize` bytes. */
function streamed(text: string, pieceSize = 100): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + pieceSize));
      offset += pieceSize;
    },
  });
}

async function post(body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return app.request("/chat", { method: "POST", body, headers: { "content-type": "application/json", ...headers }, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}

async function errorOf(response: Response): Promise<ErrorBody["error"]> {
  return ((await response.json()) as ErrorBody).error;
}

describe("readJsonBody", () => {
  it("reads a body with a declared length", async () => {
    const response = await post(valid, { "content-length": String(new TextEncoder().encode(valid).length) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ model: "default", messages: 1 });
  });

  it("reads a streamed body without a declared length", async () => {
    const response = await post(streamed(valid, 7));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ model: "default", messages: 1 });
  });

  it("refuses a declared length over the limit with 413 request_too_large", async () => {
    const response = await post(valid, { "content-length": String(LIMIT + 1) });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("request_too_large");
  });

  it("refuses a streamed body that grows over the limit with 413, without a declared length", async () => {
    const big = JSON.stringify({ model: "default", messages: [{ role: "user", content: "x".repeat(LIMIT) }] });
    const response = await post(streamed(big));
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe("request_too_large");
  });

  it("answers 400 invalid_json for a body that is not JSON", async () => {
    const response = await post("{not json");
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("invalid_json");
  });

  it("answers 400 invalid_value naming the parameter that fails the schema", async () => {
    const response = await post(JSON.stringify({ model: "default", messages: [] }));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: "invalid_value", param: "messages" });
  });
});
