// UK identifiers: UK_NHS (mod-11) and UK_NINO (allowed prefixes and suffixes).
import { describe, expect, it } from "vitest";
import { found } from "../helpers";

describe("UK_NHS", () => {
  it("finds mod-11-valid numbers next to NHS words", () => {
    expect(found("NHS number 943 476 5919")).toEqual(["UK_NHS:943 476 5919"]);
  });
  it("rejects a wrong check digit and is not reported without context", () => {
    expect(found("NHS number 943 476 5918")).not.toContain("UK_NHS:943 476 5918");
    expect(found("ref 9434765919")).toEqual([]);
  });
});

describe("UK_NINO", () => {
  it("finds national insurance numbers, spaced or not", () => {
    expect(found("NI number AB 12 34 56 C")).toEqual(["UK_NINO:AB 12 34 56 C"]);
    expect(found("nino: JG103759A")).toEqual(["UK_NINO:JG103759A"]);
  });
  it("rejects prefixes that are never allocated and bad suffixes", () => {
    expect(found("GB123456A")).toEqual([]);
    expect(found("DA123456A")).toEqual([]);
    expect(found("AB123456E")).toEqual([]);
  });
});
