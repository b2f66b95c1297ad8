// The policy schema ({} is complete, rules layer over the defaults, references are checked) and
// policy resolution (explicit name, tenant/model assignments, default, unknown names).
import { describe, expect, it } from "vitest";
import { DEFAULT_INPUT_RULES, GatewayError, GuardrailConfigSchema, PlatformConfigSchema } from "@llm-edge/shared";
import { resolvePolicy, ruleFor } from "../../../functions/guardrail/policy";

describe("GuardrailConfigSchema", () => {
  it("accepts {} and fills a complete default policy", () => {
    const config = GuardrailConfigSchema.parse({});
    expect(config.defaultPolicy).toBe("default");
    expect(config.policies.default!.input).toEqual(DEFAULT_INPUT_RULES);
    expect(config.policies.default!.output.secret).toEqual({ action: "block", minScore: 0.5, mode: "placeholder" });
    expect(config.review).toEqual({ pendingTtlSeconds: 86_400, retentionSeconds: 604_800 });
  });
  it("is filled in when PLATFORM_CONFIG has no guardrails section", () => {
    const platform = PlatformConfigSchema.parse({ providers: {}, routes: {} });
    expect(platform.guardrails.policies.default).toBeDefined();
  });
  it("layers a policy's rules over the defaults key by key", () => {
    const config = GuardrailConfigSchema.parse({ policies: { strict: { input: { secret: { action: "block" }, EMAIL_ADDRESS: { action: "redact", mode: "hash" } } } } });
    const input = config.policies.strict!.input;
    expect(input.secret!.action).toBe("block");
    expect(input.pii!.action).toBe("redact");
    expect(ruleFor(input, { type: "EMAIL_ADDRESS", check: "pii" }).mode).toBe("hash");
    expect(ruleFor(input, { type: "PHONE_NUMBER", check: "pii" }).mode).toBe("placeholder");
  });
  it("reports unknown policy references and bad values with their paths", () => {
    const result = GuardrailConfigSchema.safeParse({ defaultPolicy: "nope", assignments: [{ tenant: "a", policy: "missing" }], policies: { p: { input: { pii: { action: "shred" } } } } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join("."));
    expect(paths).toContain("policies.p.input.pii.action");
  });
  it("rejects references to policies that do not exist", () => {
    const result = GuardrailConfigSchema.safeParse({ defaultPolicy: "nope", assignments: [{ tenant: "a", policy: "missing" }] });
    expect(result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`)).toEqual(['defaultPolicy: unknown policy "nope"', 'assignments.0.policy: unknown policy "missing"']);
  });
});

describe("resolvePolicy", () => {
  const config = GuardrailConfigSchema.parse({
    policies: { strict: {}, lenient: {}, chat: {} },
    defaultPolicy: "lenient",
    assignments: [{ tenant: "acme", model: "gpt-4o", policy: "chat" }, { tenant: "acme", policy: "strict" }],
  });
  it("takes the first assignment whose tenant and model match, else the default", () => {
    expect(resolvePolicy(config, { tenant: "acme", model: "gpt-4o" }).name).toBe("chat");
    expect(resolvePolicy(config, { tenant: "acme", model: "other" }).name).toBe("strict");
    expect(resolvePolicy(config, { tenant: "someone" }).name).toBe("lenient");
  });
  it("honours an explicit name and rejects unknown ones with a 400 unknown_policy", () => {
    expect(resolvePolicy(config, { tenant: "acme", name: "default" }).name).toBe("default");
    const attempt = () => resolvePolicy(config, { tenant: "acme", name: "constructor" });
    expect(attempt).toThrow(GatewayError);
    try {
      attempt();
    } catch (error) {
      expect((error as GatewayError).status).toBe(400);
      expect((error as GatewayError).code).toBe("unknown_policy");
    }
  });
  it("compiles a policy once and reuses it", () => {
    expect(resolvePolicy(config, { tenant: "acme" })).toBe(resolvePolicy(config, { tenant: "acme" }));
  });
});
