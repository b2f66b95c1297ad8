// IBAN_CODE: ibantools validation (country format + mod-97), print and electronic forms.
import { describe, expect, it } from "vitest";
import { found } from "../helpers";

describe("IBAN_CODE", () => {
  it("finds valid IBANs in electronic and print form, upper or lower case", () => {
    expect(found("IBAN GB82WEST12345698765432")).toEqual(["IBAN_CODE:GB82WEST12345698765432"]);
    expect(found("pay DE89 3704 0044 0532 0130 00 today")).toEqual(["IBAN_CODE:DE89 3704 0044 0532 0130 00"]);
    expect(found("my iban is gb82west12345698765432")).toEqual(["IBAN_CODE:gb82west12345698765432"]);
  });
  it("rejects a wrong check digit and a wrong length for the country", () => {
    expect(found("GB83WEST12345698765432")).toEqual([]);
    expect(found("GB82WEST1234569876543")).toEqual([]);
  });
  it("does not swallow the following word group", () => {
    expect(found("DE89 3704 0044 0532 0130 00 BANK transfer")).toEqual(["IBAN_CODE:DE89 3704 0044 0532 0130 00"]);
  });
});
