// checkText (POST /v1/guardrails/check) and bad input: every policy action on one text, empty and
// over-long text, invalid UTF-16 (lone surrogates), unknown policies, pathological input.
import { describe, expect, it } from "vitest";
import { TextCheckRequestSchema } from "@llm-edge/shared";
import { checkText } from "../../../functions/guardrail/checks";
import { MAX_TEXT_LENGTH } from "../../../functions/guardrail/engine";
import { depsWith, startQueueHarness } from "./helpers";

const ruleConfig = (action: string, mode = "placeholder") => ({ policies: { p: { input: { EMAIL_ADDRESS: { action, mode } } } } });
const text = "contact jane@example.org today";

describe("one action per policy rule", () => {
  it("allow: reported, text untouched, verdict pass", async () => {
    const result = await checkText(depsWith(ruleConfig("allow")), { tenant: "t", text, direction: "input", policy: "p" });
    expect(result).toEqual({ verdict: "pass", findings: [{ type: "EMAIL_ADDRESS", start: 8, end: 24, score: 1, check: "pii", rule: "email" }] });
  });
  it.each([
    ["mask", "contact ****@*******.*** today"],
    ["placeholder", "contact [EMAIL_ADDRESS] today"],
    ["remove", "contact  today"],
  ])("redact (%s)", async (mode, expected) => {
    const result = await checkText(depsWith(ruleConfig("redact", mode)), { tenant: "t", text, direction: "input", policy: "p" });
    expect(result.verdict).toBe("redact");
    expect(result.redacted).toBe(expected);
  });
  it("block: verdict block and no redacted text", async () => {
    const result = await checkText(depsWith(ruleConfig("block")), { tenant: "t", text, direction: "input", policy: "p" });
    expect(result.verdict).toBe("block");
    expect(result.redacted).toBeUndefined();
  });
  it("escalate: a review id from the real queue", async () => {
    const harness = await startQueueHarness();
    try {
      const result = await checkText(depsWith(ruleConfig("escalate"), harness.queue()), { tenant: "t", text, direction: "input", policy: "p" });
      expect(result.verdict).toBe("escalate");
      expect(result.reviewId).toMatch(/^rev_[0-9a-f]{20}$/);
    } finally {
      await harness.close();
    }
  });
  it("uses the output rules for direction output", async () => {
    const config = { policies: { p: { output: { EMAIL_ADDRESS: { action: "block" } } } } };
    expect((await checkText(depsWith(config), { tenant: "t", text, direction: "input", policy: "p" })).verdict).toBe("redact");
    expect((await checkText(depsWith(config), { tenant: "t", text, direction: "output", policy: "p" })).verdict).toBe("block");
  });
});

describe("bad input", () => {
  it("passes an empty text with no findings", async () => {
    expect(await checkText(depsWith(), { tenant: "t", text: "", direction: "input" })).toEqual({ verdict: "pass", findings: [] });
  });

  it("rejects a text over the limit in the schema and in the engine", async () => {
    const huge = "a".repeat(MAX_TEXT_LENGTH + 1);
    expect(TextCheckRequestSchema.safeParse({ text: huge, direction: "input" }).success).toBe(false);
    await expect(checkText(depsWith(), { tenant: "t", text: huge, direction: "input" })).rejects.toMatchObject({ status: 400, code: "text_too_long" });
  });

  it("keeps offsets right and does not crash around lone surrogates", async () => {
    const broken = "\uD800 mail jane@example.org \uDC00 card 4111111111111111 \uD83D";
    const result = await checkText(depsWith(), { tenant: "t", text: broken, direction: "input" });
    expect(result.findings.map((f) => broken.slice(f.start, f.end))).toEqual(["jane@example.org", "4111111111111111"]);
    expect(result.redacted).toBe("\uD800 mail [EMAIL_ADDRESS] \uDC00 card [CREDIT_CARD] \uD83D");
  });

  it("answers an unknown policy name with a 400 unknown_policy", async () => {
    await expect(checkText(depsWith(), { tenant: "t", text, direction: "input", policy: "nope" })).rejects.toMatchObject({ status: 400, code: "unknown_policy", type: "invalid_request_error" });
  });

  it.each([
    ["one letter", "a".repeat(100_000)],
    ["an @ between long words", `${"a".repeat(50_000)}@${"b".repeat(50_000)}`],
    ["whitespace", " ".repeat(100_000)],
    ["newlines", "\n".repeat(100_000)],
    ["digits", "1".repeat(100_000)],
    ["unclosed image tags", "<img src=http://a ".repeat(5_000)],
    ["private key headers", "-----BEGIN PRIVATE KEY-----\n".repeat(3_000)],
  ])("checks 100 KB of %s in well under a second", async (_name, input) => {
    const started = performance.now();
    await checkText(depsWith(), { tenant: "t", text: input, direction: "output" });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
