// Load shedding at the edge: with `overload.maxInFlight` requests in flight, the next /v1 request is
// refused at once with 503 `overloaded` and Retry-After; once one finishes, requests are taken again.
// A request held in flight is a chat call whose body has not finished arriving.
import { describe, expect, it } from "vitest";
import { DEV_CONFIG_INPUT } from "../../../shared/dev-config";
import { app } from "../../../functions/edge/app";

const env = { API_KEYS: "sk-test=acme", PLATFORM_CONFIG: JSON.stringify({ ...DEV_CONFIG_INPUT, overload: { maxInFlight: 1, retryAfterSeconds: 2 } }) } as unknown as Env;
const executionCtx = { waitUntil: (work: Promise<unknown>) => void work.catch(() => {}), passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
const headers = { authorization: "Bearer sk-test", "content-type": "application/json" };

/** A chat request whose body arrives only when `finish` is called (with a body the route rejects, so no Worker is needed). */
function heldRequest(): { response: Promise<Response>; finish(): void } {
  let close: () => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("{"));
      close = () => {
        controller.enqueue(new TextEncoder().encode("}"));
        controller.close();
      };
    },
  });
  const request = new Request("http://edge/v1/chat/completions", { method: "POST", headers, body, duplex: "half" } as RequestInit);
  return { response: Promise.resolve(app.fetch(request, env, executionCtx)), finish: () => close() };
}

describe("load shedding", () => {
  it("refuses past maxInFlight with 503 overloaded and Retry-After, and takes requests again after", async () => {
    // The middleware chain counts a request before its first await, so it is in flight from here on.
    const held = heldRequest();
    const refused = await app.request("/v1/models", { headers }, env, executionCtx);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("2");
    expect(await refused.json()).toEqual({ error: { message: expect.stringContaining("capacity"), type: "service_unavailable", param: null, code: "overloaded" } });

    held.finish();
    expect((await held.response).status).toBe(400);
    const accepted = await app.request("/v1/chat/completions", { method: "POST", headers, body: "{}" }, env, executionCtx);
    expect(accepted.status).toBe(400);
  });
});
