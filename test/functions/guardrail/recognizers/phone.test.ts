// PHONE_NUMBER: international via libphonenumber-js, national by region, written shapes with phone words.
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { describe, expect, it } from "vitest";
import { phoneRecognizer } from "../../../../functions/guardrail/recognizers/phone";
import type { Candidate } from "../../../../functions/guardrail/recognizers/types";
import { findings, found, policyFrom } from "../helpers";

describe("PHONE_NUMBER", () => {
  it("finds international numbers validated by libphonenumber-js", () => {
    expect(found("ring +44 20 7946 0958 now")).toEqual(["PHONE_NUMBER:+44 20 7946 0958"]);
    expect(found("+1-415-555-2671")).toEqual(["PHONE_NUMBER:+1-415-555-2671"]);
    expect(found("+41 (0)44 668 18 00")).toEqual(["PHONE_NUMBER:+41 (0)44 668 18 00"]);
  });
  it("finds national numbers of the policy's regions, with extensions", () => {
    expect(found("(415) 555-2671 x204")).toEqual(["PHONE_NUMBER:(415) 555-2671 x204"]);
    const french = policyFrom({ phoneRegions: ["FR"] });
    expect(found("01 42 68 53 00", { policy: french })).toEqual(["PHONE_NUMBER:01 42 68 53 00"]);
  });
  it("finds other written shapes only next to phone words", () => {
    expect(found("Phone:\n60-56-85-91")).toEqual(["PHONE_NUMBER:60-56-85-91"]);
    expect(found("call me on 9472 7916?")).toEqual(["PHONE_NUMBER:9472 7916"]);
    expect(found("item 9472 7916 in stock")).toEqual([]);
  });
  it("does not take dates, times, IP addresses, thousands or short numbers for phones", () => {
    expect(findings("Date: 2015-12-22 04:34:22, call").filter((f) => f.type === "PHONE_NUMBER")).toEqual([]);
    expect(findings("phone 12.05.2020").filter((f) => f.type === "PHONE_NUMBER")).toEqual([]);
    expect(findings("phone 1.234.567").filter((f) => f.type === "PHONE_NUMBER")).toEqual([]);
    expect(findings("call 192.168.10.20").filter((f) => f.type === "PHONE_NUMBER")).toEqual([]);
    expect(found("call 555 12")).toEqual([]);
  });
  it("skips parsing only numbers libphonenumber-js would reject: same verdict on 20,000 digit runs in 30 regions", () => {
    // Regions that share a calling code (NANP, +44, +61, +7), rewrite national prefixes (AG, AR, BR)
    // or dial abroad with a prefix that looks national (MX "09").
    const regions = ["US", "CA", "AG", "BB", "GB", "JE", "GG", "AU", "CC", "RU", "KZ", "AR", "BR", "MX", "DE", "FR", "IT", "VA", "JP", "CN", "IN", "ES", "NL", "SE", "CH", "PL", "TR", "ZA", "NZ", "SG"];
    let seed = 12_345;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    let valid = 0;
    const mismatches: string[] = [];
    for (let index = 0; index < 20_000; index++) {
      const region = regions[index % regions.length]!;
      let digits = Array.from({ length: 7 + Math.floor(random() * 6) }, () => Math.floor(random() * 10)).join("");
      const lead = random();
      digits = lead < 0.3 ? `0${digits.slice(1)}` : lead < 0.45 ? `1${digits.slice(1)}` : digits;
      if (digits.startsWith("00") || /^(\d)\1+$/.test(digits)) continue;
      const expected = parsePhoneNumberFromString(digits, { defaultCountry: region as CountryCode, extract: false })?.isValid() ?? false;
      const candidates: Candidate[] = [];
      phoneRecognizer.scan(`call ${digits} now`, candidates, { phoneRegions: [region] });
      const validated = candidates.some((candidate) => candidate.rule?.startsWith("libphonenumber") === true);
      if (expected) valid += 1;
      if (validated !== expected) mismatches.push(`${region} ${digits}: expected ${expected}`);
    }
    expect(mismatches).toEqual([]);
    expect(valid).toBeGreaterThan(2_000);
  });
});
