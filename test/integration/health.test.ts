import { describe, expect, inject, it } from "vitest";
import { parseTraceparent } from "../../shared/trace";

const stack = inject("stack");

describe("GET /health through the edge", () => {
  it("reaches every pattern Worker over RPC and reports each one healthy", async () => {
    const response = await fetch(`${stack.edgeUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; workers: Record<string, { status: string; checks: Record<string, { status: string }> }> };
    expect(Object.keys(body.workers).sort()).toEqual(["cache", "fanout", "gateway", "guardrail"]);
    // Breaker checks (other tests trip breakers on purpose) aside, every check is ok.
    for (const report of Object.values(body.workers)) {
      for (const [name, check] of Object.entries(report.checks)) if (!name.startsWith("breaker:")) expect(check.status, name).toBe("ok");
    }
    expect(body.workers.cache?.checks.redis?.status).toBe("ok");
    expect(body.workers.cache?.checks.vector?.status).toBe("ok");
    expect(body.workers.guardrail?.checks.reviewQueue?.status).toBe("ok");
    expect(body.workers.fanout?.checks.storage?.status).toBe("ok");
    expect(body.workers.gateway?.checks["provider:sim"]?.status).toBe("ok");
  });

  it("continues the caller's W3C trace and returns its id", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${stack.edgeUrl}/health`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(response.headers.get("x-gateway-trace-id")).toBe(traceId);
  });

  it("starts a new trace when the caller sends none or a malformed one", async () => {
    const response = await fetch(`${stack.edgeUrl}/health`, { headers: { traceparent: "garbage" } });
    const traceId = response.headers.get("x-gateway-trace-id") ?? "";
    expect(parseTraceparent(`00-${traceId}-00f067aa0ba902b7-01`)?.traceId).toBe(traceId);
  });
});

describe("edge errors", () => {
  it("answers an unknown route with an OpenAI-style 404", async () => {
    const response = await fetch(`${stack.edgeUrl}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({
      error: { message: "Unknown route: GET /nope", type: "not_found_error", param: null, code: "unknown_route" },
    });
  });

  it("rejects /v1 requests without a key, and with a wrong key, as 401", async () => {
    const missing = await fetch(`${stack.edgeUrl}/v1/models`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
    const wrong = await fetch(`${stack.edgeUrl}/v1/models`, { headers: { authorization: "Bearer sk-wrong" } });
    expect(wrong.status).toBe(401);
    const body = (await wrong.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_api_key");
    expect(body.error.message).not.toContain("sk-wrong");
  });

  it("lets a valid key through auth", async () => {
    const response = await fetch(`${stack.edgeUrl}/v1/models`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    expect(response.status).toBe(200);
  });
});
