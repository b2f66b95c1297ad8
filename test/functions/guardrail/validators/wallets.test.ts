// Wallet checksums and the hashes behind them, against published test vectors (BIP-173/350,
// EIP-55) and node:crypto.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keccak256 } from "../../../../functions/guardrail/validators/keccak";
import { sha256, toHex } from "../../../../functions/guardrail/validators/sha256";
import { ethereumAddressCheck, isValidBase58CheckAddress, isValidBech32Address } from "../../../../functions/guardrail/validators/wallets";

describe("hashes", () => {
  it("sha256 matches node:crypto across block boundaries and for non-ASCII text", () => {
    for (const text of ["", "abc", "a".repeat(55), "b".repeat(56), "c".repeat(64), "d".repeat(1_000), "héllo wörld ✓"]) {
      expect(toHex(sha256(text))).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    }
  });
  it("keccak256 matches Ethereum's known digests", () => {
    expect(toHex(keccak256(new Uint8Array()))).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(toHex(keccak256(new TextEncoder().encode("hello")))).toBe("1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");
  });
});

describe("bitcoin", () => {
  it("accepts base58check P2PKH and P2SH addresses and rejects a changed character", () => {
    expect(isValidBase58CheckAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).toBe(true);
    expect(isValidBase58CheckAddress("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")).toBe(true);
    expect(isValidBase58CheckAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")).toBe(false);
    expect(isValidBase58CheckAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a")).toBe(false);
  });
  it("accepts bech32 (v0) and bech32m (Taproot) addresses and rejects bad checksums and mixed case", () => {
    expect(isValidBech32Address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")).toBe(true);
    expect(isValidBech32Address("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")).toBe(true);
    expect(isValidBech32Address("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")).toBe(true);
    expect(isValidBech32Address("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")).toBe(false);
    expect(isValidBech32Address("bc1Qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")).toBe(false);
    // A v1 program with a bech32 (not bech32m) checksum is invalid (BIP-350).
    expect(isValidBech32Address("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx")).toBe(false);
  });
});

describe("ethereum", () => {
  it("accepts EIP-55 checksummed addresses and rejects a flipped letter case", () => {
    for (const address of ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]) {
      expect(ethereumAddressCheck(address), address).toBe("checksummed");
    }
    expect(ethereumAddressCheck("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")).toBe("invalid");
  });
  it("treats single-case addresses as unchecked", () => {
    expect(ethereumAddressCheck("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")).toBe("unchecked");
    expect(ethereumAddressCheck("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED")).toBe("unchecked");
  });
});
