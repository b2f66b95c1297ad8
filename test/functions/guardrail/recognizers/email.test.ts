// EMAIL_ADDRESS: found outwards from each "@", trailing punctuation dropped, linear time.
import { describe, expect, it } from "vitest";
import { found } from "../helpers";

describe("EMAIL_ADDRESS", () => {
  it("finds addresses with dots, plus tags and subdomains", () => {
    expect(found("mail jane.doe+news@mail.example.co.uk today")).toEqual(["EMAIL_ADDRESS:jane.doe+news@mail.example.co.uk"]);
  });
  it("leaves out trailing punctuation and rejects domains without a real TLD", () => {
    expect(found("write to a@b.io.")).toEqual(["EMAIL_ADDRESS:a@b.io"]);
    expect(found("user@localhost, x@y, @handle, a@b.c1")).toEqual([]);
  });
  it("stays fast on long words with an @ (no backtracking blow-up)", () => {
    const text = `${"a".repeat(50_000)}@${"b".repeat(50_000)}`;
    const started = performance.now();
    expect(found(text)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
