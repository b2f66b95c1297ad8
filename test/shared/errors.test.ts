import { describe, expect, it } from "vitest";
import { GatewayError, errorResponse, toGatewayError, toRpcError } from "../../shared/errors";

describe("errors", () => {
  it("renders a GatewayError as an OpenAI-style body with the status of its type", async () => {
    const response = errorResponse(new GatewayError("Rate limit reached", { type: "rate_limit_error", code: "rate_limited" }), { "retry-after": "3" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.json()).toEqual({ error: { message: "Rate limit reached", type: "rate_limit_error", param: null, code: "rate_limited" } });
  });

  it("lets an explicit status override the type's default", () => {
    expect(new GatewayError("too big", { type: "invalid_request_error", status: 413 }).status).toBe(413);
  });

  it("hides the message of unexpected errors behind a generic 500", async () => {
    const internal = new Error("connect ECONNREFUSED https://user:sk-secret@internal");
    const converted = toGatewayError(internal);
    expect(converted.status).toBe(500);
    const body = await errorResponse(internal).text();
    expect(body).not.toContain("sk-secret");
    expect(body).not.toContain("ECONNREFUSED");
    expect(JSON.parse(body).error.type).toBe("server_error");
  });

  it("restores a GatewayError that crossed RPC as a plain Error message", () => {
    const original = new GatewayError("Unknown policy \"strict\"", { type: "invalid_request_error", code: "unknown_policy", param: "policy" });
    const crossed = new Error((toRpcError(original) as Error).message);
    const restored = toGatewayError(crossed);
    expect(restored.status).toBe(400);
    expect(restored.toBody()).toEqual(original.toBody());
    const plain = new Error("boom");
    expect(toRpcError(plain)).toBe(plain);
  });
});
