// CREDIT_CARD: Luhn-valid numbers, issuer prefixes and card words.
import { describe, expect, it } from "vitest";
import { findings, found } from "../helpers";

describe("CREDIT_CARD", () => {
  it("finds Luhn-valid numbers of known issuers, plain, spaced or dashed", () => {
    expect(found("pay with 4111111111111111 please")).toEqual(["CREDIT_CARD:4111111111111111"]);
    expect(found("card: 5555 5555 5555 4444.")).toEqual(["CREDIT_CARD:5555 5555 5555 4444"]);
    expect(found("amex 3782-822463-10005")).toEqual(["CREDIT_CARD:3782-822463-10005"]);
  });
  it("does not report a number that fails Luhn by one digit", () => {
    expect(found("card 4111111111111112")).toEqual([]);
  });
  it("needs card words for a Luhn-valid number without a known issuer prefix", () => {
    const number = "9000000000000001";
    expect(found(`order ${number} shipped`)).toEqual([]);
    expect(found(`my credit card ${number}`)).toEqual([`CREDIT_CARD:${number}`]);
  });
  it("scores context higher than the bare number", () => {
    const [bare] = findings("4111111111111111");
    const [withWord] = findings("visa 4111111111111111");
    expect(withWord!.score).toBeGreaterThan(bare!.score);
  });
  it("ignores numbers glued to letters or longer digit runs", () => {
    expect(found("id A4111111111111111 and 41111111111111110000")).toEqual([]);
  });
});
