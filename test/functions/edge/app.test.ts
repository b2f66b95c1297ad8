// The edge app's tracing on every kind of response the app renders itself: a refused key (thrown,
// rendered by onError) and an unknown route (notFound) both carry x-gateway-trace-id, continuing the
// caller's W3C trace when it sends one and starting a fresh trace otherwise. The request's log line
// is written only after the response has been handed back, so it never delays an answer.
import { describe, expect, it, vi } from "vitest";
import { app } from "../../../functions/edge/app";

const env = { API_KEYS: "sk-test=acme" } as unknown as Env;
/** Background work (the audit and metrics write) is collected, as the runtime would keep it alive. */
const background: Array<Promise<unknown>> = [];
const executionCtx = { waitUntil: (work: Promise<unknown>) => void background.push(work.catch(() => {})), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

describe("edge app tracing", () => {
  it("continues the caller's trace on an error rendered by onError (401)", async () => {
    const response = await app.request("/v1/chat/completions", { method: "POST", headers: { traceparent: `00-${CALLER_TRACE}-00f067aa0ba902b7-01` } }, env, executionCtx);
    expect(response.status).toBe(401);
    expect(response.headers.get("x-gateway-trace-id")).toBe(CALLER_TRACE);
  });

  it("starts a fresh trace on an unknown route (404) when the caller sends none", async () => {
    const first = await app.request("/no-such-route", {}, env, executionCtx);
    const second = await app.request("/no-such-route", {}, env, executionCtx);
    expect(first.status).toBe(404);
    const traceId = first.headers.get("x-gateway-trace-id");
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(second.headers.get("x-gateway-trace-id")).not.toBe(traceId);
  });

  it("writes the request line after the response is handed back, with its status and trace id", async () => {
    const written: string[] = [];
    const consoleLog = vi.spyOn(console, "log").mockImplementation((line: unknown) => void written.push(String(line)));
    try {
      const response = await app.request("/no-such-route?secret=1", {}, env, executionCtx);
      const traceId = response.headers.get("x-gateway-trace-id")!;
      const requestLines = () => written.filter((line) => line.includes('"message":"request"') && line.includes(traceId));
      expect(response.status).toBe(404);
      expect(requestLines()).toEqual([]);
      await Promise.all(background);
      expect(requestLines()).toHaveLength(1);
      const line = JSON.parse(requestLines()[0]!) as Record<string, unknown>;
      expect(line).toMatchObject({ method: "GET", path: "/no-such-route", status: 404, traceId });
      expect(requestLines()[0]).not.toContain("secret");
    } finally {
      consoleLog.mockRestore();
    }
  });
});
