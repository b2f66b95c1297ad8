// Check digits: Luhn for cards, mod-11 for NHS numbers, the SSA's rules for SSNs and ITINs.
import { describe, expect, it } from "vitest";
import { isPlausibleItin, isPlausibleSsn, passesLuhn, passesNhsCheck } from "../../../../functions/guardrail/validators/checksums";

describe("Luhn", () => {
  it("accepts valid card numbers with or without separators", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("4111 1111 1111 1111")).toBe(true);
    expect(passesLuhn("378282246310005")).toBe(true);
  });
  it("rejects a single changed or swapped digit", () => {
    expect(passesLuhn("4111111111111112")).toBe(false);
    expect(passesLuhn("4111111111111121")).toBe(false);
    expect(passesLuhn("")).toBe(false);
  });
});

describe("NHS mod-11", () => {
  it("accepts a number whose last digit is its check digit", () => {
    expect(passesNhsCheck("943 476 5919")).toBe(true);
    expect(passesNhsCheck("4010232137")).toBe(true);
  });
  it("rejects a wrong check digit, a check value of 10 and wrong lengths", () => {
    expect(passesNhsCheck("943 476 5918")).toBe(false);
    expect(passesNhsCheck("1234567890")).toBe(false);
    expect(passesNhsCheck("94347659")).toBe(false);
  });
});

describe("SSN rules", () => {
  it("accepts ordinary area/group/serial numbers, including 7xx-8xx areas issued since 2011", () => {
    expect(isPlausibleSsn("536-22-1234")).toBe(true);
    expect(isPlausibleSsn("853-37-1694")).toBe(true);
  });
  it("rejects area 000, 666 and 900-999, group 00, serial 0000 and advertising numbers", () => {
    for (const ssn of ["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "536-00-1234", "536-22-0000", "078-05-1120", "123-45-6789", "111-11-1111"]) {
      expect(isPlausibleSsn(ssn), ssn).toBe(false);
    }
  });
});

describe("ITIN rules", () => {
  it("accepts 9xx with a group in the ITIN ranges", () => {
    expect(isPlausibleItin("912-70-1234")).toBe(true);
    expect(isPlausibleItin("900-50-0000")).toBe(true);
    expect(isPlausibleItin("999-94-1234")).toBe(true);
  });
  it("rejects groups outside the ranges and non-9 areas", () => {
    expect(isPlausibleItin("912-66-1234")).toBe(false);
    expect(isPlausibleItin("912-93-1234")).toBe(false);
    expect(isPlausibleItin("812-70-1234")).toBe(false);
  });
});
