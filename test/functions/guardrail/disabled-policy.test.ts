// A policy with `enabled: false` runs no checks: input, output, text and streams pass untouched,
// while the tenants and models it is not assigned to keep their checks. The pipeline reads the same
// switch (guardrailsEnabledFor) to skip its guardrail calls.
import { describe, expect, it } from "vitest";
import { GuardrailConfigSchema, guardrailsEnabledFor, policyNameFor, type ChatCompletion, type ChatCompletionRequest } from "@llm-edge/shared";
import { checkInput, checkOutput, checkText } from "../../../functions/guardrail/checks";
import { guardStream } from "../../../functions/guardrail/stream-guard";
import { depsWith } from "./helpers";

const config = { policies: { off: { enabled: false } }, assignments: [{ tenant: "trusted", policy: "off" }, { model: "raw-model", policy: "off" }] };
const pii = "mail jane@example.org, SSN 536-22-1234";
const request = (model = "sim-primary"): ChatCompletionRequest => ({ model, messages: [{ role: "user", content: pii }] });
const completion: ChatCompletion = {
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: "sim-primary",
  choices: [{ index: 0, message: { role: "assistant", content: pii }, finish_reason: "stop" }],
};

describe("a disabled policy", () => {
  it("passes input and output untouched for the tenant it is assigned to", async () => {
    expect(await checkInput(depsWith(config), { tenant: "trusted", request: request() })).toEqual({ verdict: "pass", findings: [], value: request() });
    expect(await checkOutput(depsWith(config), { tenant: "trusted", request: request(), completion })).toEqual({ verdict: "pass", findings: [], value: completion });
    expect(await checkText(depsWith(config), { tenant: "t", text: pii, direction: "input", policy: "off" })).toEqual({ verdict: "pass", findings: [] });
  });

  it("hands a stream back as it is", async () => {
    const stream = new ReadableStream<Uint8Array>();
    expect(guardStream(depsWith(config), { tenant: "t", request: request("raw-model"), stream })).toBe(stream);
  });

  it("leaves other tenants and models on the default policy", async () => {
    const checked = await checkInput(depsWith(config), { tenant: "someone", request: request() });
    expect(checked.verdict).toBe("redact");
    expect(checked.value.messages[0]!.content).toBe("mail [EMAIL_ADDRESS], SSN [US_SSN]");
  });

  it("is what guardrailsEnabledFor reports", () => {
    const parsed = GuardrailConfigSchema.parse(config);
    expect(policyNameFor(parsed, { tenant: "trusted", model: "x" })).toBe("off");
    expect(guardrailsEnabledFor(parsed, { tenant: "trusted", model: "x" })).toBe(false);
    expect(guardrailsEnabledFor(parsed, { tenant: "other", model: "raw-model" })).toBe(false);
    expect(guardrailsEnabledFor(parsed, { tenant: "other", model: "x" })).toBe(true);
  });
});
