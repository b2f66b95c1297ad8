// CRYPTO: bitcoin (base58check, bech32) and ethereum (EIP-55) addresses.
import { describe, expect, it } from "vitest";
import { found } from "../helpers";

describe("CRYPTO", () => {
  it("finds checksum-valid bitcoin and ethereum addresses", () => {
    expect(found("send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toEqual(["CRYPTO:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"]);
    expect(found("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")).toEqual(["CRYPTO:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"]);
    expect(found("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).toEqual(["CRYPTO:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"]);
  });
  it("rejects broken checksums", () => {
    expect(found("send to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")).toEqual([]);
    expect(found("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")).toEqual([]);
  });
  it("reports a single-case 40-hex value only next to wallet words (it could be any hash)", () => {
    const hex = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
    expect(found(`commit ${hex}`)).toEqual([]);
    expect(found(`my eth wallet ${hex}`)).toEqual([`CRYPTO:${hex}`]);
  });
});
