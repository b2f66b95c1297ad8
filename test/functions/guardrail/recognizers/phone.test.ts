// PHONE_NUMBER: international via libphonenumber-js, national by region, written shapes with phone words.
import { describe, expect, it } from "vitest";
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
});
