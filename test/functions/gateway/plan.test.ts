import { describe, expect, it } from "vitest";
import { GatewayError, parsePlatformConfig } from "@llm-edge/shared";
import { gatewayConfig } from "../../../functions/gateway/config";
import { planRoute, resolveTarget } from "../../../functions/gateway/plan";

const config = parsePlatformConfig({
  providers: {
    openai: { type: "openai", apiKeySecret: "OPENAI_API_KEY" },
    local: { type: "openai-compatible", baseUrl: "$LOCAL_URL/v1" },
    proxy: { type: "anthropic", baseUrl: "https://proxy.internal/v1" },
  },
  routes: {
    chat: { targets: [{ provider: "openai", model: "gpt-4o-mini" }, { provider: "local", model: "llama3" }] },
    other: { targets: [{ provider: "proxy", model: "claude" }] },
  },
});

describe("resolveTarget", () => {
  it("expands a $VARIABLE base URL and reads the key from the named secret", () => {
    expect(resolveTarget(config, { provider: "local", model: "llama3" }, { LOCAL_URL: "http://127.0.0.1:11434/" })).toMatchObject({
      id: "local/llama3",
      baseUrl: "http://127.0.0.1:11434/v1",
    });
    expect(resolveTarget(config, { provider: "openai", model: "gpt-4o-mini" }, { OPENAI_API_KEY: "sk-x" })).toMatchObject({
      baseUrl: "https://api.openai.com/v1",
      apiKey: "sk-x",
    });
  });

  it("says why a target cannot be used: unset URL variable, missing key on an official endpoint", () => {
    expect(resolveTarget(config, { provider: "local", model: "llama3" }, {})).toEqual({ unusable: "base URL not configured ($LOCAL_URL/v1)" });
    expect(resolveTarget(config, { provider: "openai", model: "gpt-4o-mini" }, {})).toEqual({ unusable: "missing secret OPENAI_API_KEY" });
    expect(resolveTarget(config, { provider: "proxy", model: "claude" }, {})).toMatchObject({ baseUrl: "https://proxy.internal/v1" });
  });
});

describe("planRoute", () => {
  it("keeps unusable targets out of the plan and reports them", () => {
    const plan = planRoute(config, "chat", { LOCAL_URL: "http://127.0.0.1:1" });
    expect(plan.targets.map((target) => target.id)).toEqual(["local/llama3"]);
    expect(plan.unusable).toEqual([{ target: "openai/gpt-4o-mini", reason: "missing secret OPENAI_API_KEY" }]);
  });

  it("takes an override in its order, from targets of any route, and refuses unknown ids", () => {
    const plan = planRoute(config, "chat", { LOCAL_URL: "http://x" }, { override: ["proxy/claude", "local/llama3"] });
    expect(plan.targets.map((target) => target.id)).toEqual(["proxy/claude", "local/llama3"]);
    expect(() => planRoute(config, "chat", {}, { override: ["https://evil.example/v1"] })).toThrow(GatewayError);
  });

  it("answers 404 model_not_found for an unknown alias", () => {
    try {
      planRoute(config, "gpt-5", {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(404);
      expect((error as GatewayError).code).toBe("model_not_found");
    }
  });
});

describe("gatewayConfig", () => {
  it("turns an invalid PLATFORM_CONFIG into a 503 invalid_config without leaking the details", () => {
    try {
      gatewayConfig({ PLATFORM_CONFIG: '{"providers":{},"routes":{"x":{"targets":[]}}}' });
      expect.unreachable();
    } catch (error) {
      expect((error as GatewayError).status).toBe(503);
      expect((error as GatewayError).code).toBe("invalid_config");
    }
  });
});
