// Redaction modes and how overlapping spans merge; offsets survive astral characters.
import { describe, expect, it } from "vitest";
import { applyRedactions, replacementFor } from "../../../functions/guardrail/redact";

describe("replacementFor", () => {
  it("masks letters and digits but keeps separators, so the shape stays readable", () => {
    expect(replacementFor("536-22-1234", "US_SSN", "mask", "")).toBe("***-**-****");
    expect(replacementFor("jane@example.com", "EMAIL_ADDRESS", "mask", "")).toBe("****@*******.***");
  });
  it("uses the type as placeholder and removes on 'remove'", () => {
    expect(replacementFor("536-22-1234", "US_SSN", "placeholder", "")).toBe("[US_SSN]");
    expect(replacementFor("\u202E", "INVISIBLE_UNICODE", "remove", "")).toBe("");
  });
  it("hashes the same value to the same tag, differently per salt", () => {
    const a = replacementFor("jane@example.com", "EMAIL_ADDRESS", "hash", "tenant-a");
    expect(a).toMatch(/^\[EMAIL_ADDRESS:[0-9a-f]{8}\]$/);
    expect(replacementFor("jane@example.com", "EMAIL_ADDRESS", "hash", "tenant-a")).toBe(a);
    expect(replacementFor("jane@example.com", "EMAIL_ADDRESS", "hash", "tenant-b")).not.toBe(a);
    expect(replacementFor("john@example.com", "EMAIL_ADDRESS", "hash", "tenant-a")).not.toBe(a);
  });
});

describe("applyRedactions", () => {
  it("replaces several spans in one pass", () => {
    const text = "mail a@b.io or call 555-0100";
    expect(applyRedactions(text, [{ start: 5, end: 11, type: "EMAIL_ADDRESS", mode: "placeholder" }, { start: 20, end: 28, type: "PHONE_NUMBER", mode: "mask" }], "")).toBe("mail [EMAIL_ADDRESS] or call ***-****");
  });
  it("merges overlapping spans into one replacement", () => {
    const text = "![x](https://e.com/?q=a@b.io)";
    const image = { start: 0, end: text.length, type: "MARKDOWN_EXFILTRATION", mode: "remove" as const };
    const email = { start: 22, end: 28, type: "EMAIL_ADDRESS", mode: "placeholder" as const };
    expect(applyRedactions(`${text} ok`, [email, image], "")).toBe(" ok");
  });
  it("masks astral characters unit for unit, keeping later offsets valid", () => {
    expect(replacementFor("a😀b", "X", "mask", "")).toHaveLength("a😀b".length);
  });
});
