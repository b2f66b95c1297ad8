// US identifiers: US_SSN and US_ITIN (SSA rules), and the context-only passport, bank and licence numbers.
import { describe, expect, it } from "vitest";
import { findings, found } from "../helpers";

describe("US_SSN", () => {
  it("finds dashed SSNs and scores them higher next to SSN words", () => {
    expect(found("Here's my SSN: 536-22-1234")).toEqual(["US_SSN:536-22-1234"]);
    expect(findings("SSN 536-22-1234")[0]!.score).toBeGreaterThan(findings("ref 536-22-1234")[0]!.score);
  });
  it("rejects invalid groups: 000, 666, 9xx areas, 00 group, 0000 serial", () => {
    for (const value of ["000-22-1234", "666-22-1234", "987-22-1234", "536-00-1234", "536-22-0000"]) {
      expect(found(`SSN ${value}`), value).not.toContainEqual(`US_SSN:${value}`);
    }
  });
  it("needs SSN words for unformatted nine digits", () => {
    expect(found("order 536221234")).toEqual([]);
    expect(found("social security number 536221234")).toEqual(["US_SSN:536221234"]);
  });
});

describe("US_ITIN", () => {
  it("finds 9xx numbers in the ITIN group ranges", () => {
    expect(found("my ITIN is 912-70-1234")).toEqual(["US_ITIN:912-70-1234"]);
    expect(found("ITIN 912-66-1234")).toEqual([]);
  });
});

describe("context-only US identifiers", () => {
  it("US_PASSPORT only next to passport words", () => {
    expect(found("passport number C12345678")).toEqual(["US_PASSPORT:C12345678"]);
    expect(found("tracking C12345678")).toEqual([]);
  });
  it("US_BANK_NUMBER only next to account words", () => {
    expect(found("checking account 000123456789")).toEqual(["US_BANK_NUMBER:000123456789"]);
    expect(found("invoice 000123456789")).toEqual([]);
  });
  it("US_DRIVER_LICENSE only next to licence words, in the shapes states use", () => {
    expect(found("My driver's license number is F162823540116")).toEqual(["US_DRIVER_LICENSE:F162823540116"]);
    expect(found("driver license: 2270-66-1551")).toEqual(["US_DRIVER_LICENSE:2270-66-1551"]);
    expect(found("serial F162823540116")).toEqual([]);
  });
});
