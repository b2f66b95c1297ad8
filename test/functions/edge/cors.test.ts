// CORS from the config's `cors` section: off by default (no allow-origin; a preflight is an ordinary
// unauthenticated request),
// and when origins are listed: preflights answered with 204 and the allowed methods and headers,
// responses (errors included) readable by the listed origins only, with the x-gateway-* and
// x-ratelimit-* headers exposed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeHarness, startHarness, type BridgeHarness } from "./edge-harness";

let bridge: BridgeHarness;
beforeAll(async () => {
  bridge = await startHarness();
});
afterAll(async () => {
  await bridge?.close();
});

const ORIGIN = "https://app.example.com";
const preflight = { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" } };

describe("CORS", () => {
  it("is off by default", async () => {
    const edge = edgeHarness(bridge);
    const answer = await edge.request("/v1/chat/completions", preflight);
    expect(answer.status).toBe(401);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    const models = await edge.request("/v1/models", { key: "sk-config-a", headers: { origin: ORIGIN } });
    expect(models.status).toBe(200);
    expect(models.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers preflights and marks responses for the listed origins", async () => {
    const edge = edgeHarness(bridge, { config: { cors: { allowedOrigins: [`${ORIGIN}/`] } } });
    const answer = await edge.request("/v1/chat/completions", preflight);
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(answer.headers.get("access-control-allow-methods")).toContain("POST");
    expect(answer.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(answer.headers.get("access-control-max-age")).toBe("600");

    const models = await edge.request("/v1/models", { key: "sk-config-a", headers: { origin: ORIGIN } });
    expect(models.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(models.headers.get("access-control-expose-headers")).toContain("x-gateway-trace-id");
    expect(models.headers.get("access-control-expose-headers")).toContain("x-ratelimit-remaining-requests");

    const unauthorised = await edge.request("/v1/models", { headers: { origin: ORIGIN } });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get("access-control-allow-origin")).toBe(ORIGIN);

    const stranger = await edge.request("/v1/models", { key: "sk-config-a", headers: { origin: "https://evil.example.net" } });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows any origin with \"*\"", async () => {
    const edge = edgeHarness(bridge, { config: { cors: { allowedOrigins: ["*"] } } });
    const models = await edge.request("/v1/models", { key: "sk-config-a", headers: { origin: "https://anywhere.example" } });
    expect(models.headers.get("access-control-allow-origin")).toBe("*");
  });
});
