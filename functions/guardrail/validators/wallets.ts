// Crypto wallet address checks: Bitcoin base58check (legacy P2PKH/P2SH), bech32/bech32m (SegWit
// and Taproot) and Ethereum's EIP-55 mixed-case checksum.
import { keccak256 } from "./keccak";
import { sha256 } from "./sha256";

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE58_VALUE = new Map([...BASE58_ALPHABET].map((char, index) => [char, index]));

/** Decodes base58 into bytes (leading "1"s are leading zero bytes); undefined on a bad character. */
function decodeBase58(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const char of text) {
    let carry = BASE58_VALUE.get(char);
    if (carry === undefined) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (let i = 0; i < text.length && text[i] === "1"; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

/** True for a legacy Bitcoin address: 25 bytes, version 0x00 or 0x05, double-SHA-256 checksum. */
export function isValidBase58CheckAddress(address: string): boolean {
  const bytes = decodeBase58(address);
  if (!bytes || bytes.length !== 25 || (bytes[0] !== 0x00 && bytes[0] !== 0x05)) return false;
  const checksum = sha256(sha256(bytes.subarray(0, 21)));
  for (let i = 0; i < 4; i++) if (checksum[i] !== bytes[21 + i]) return false;
  return true;
}

const BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
const BECH32_CONSTANT = 1;
const BECH32M_CONSTANT = 0x2bc830a3;

function bech32Polymod(values: number[]): number {
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) checksum ^= BECH32_GENERATORS[i]!;
  }
  return checksum >>> 0;
}

/**
 * True for a Bitcoin SegWit address ("bc1…"/"tb1…", one case): a bech32 checksum for witness
 * version 0, bech32m for versions 1-16 (Taproot), and a program of a legal length.
 */
export function isValidBech32Address(address: string): boolean {
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return false;
  const text = address.toLowerCase();
  const separator = text.lastIndexOf("1");
  const hrp = text.slice(0, separator);
  if ((hrp !== "bc" && hrp !== "tb") || text.length > 90) return false;
  const data: number[] = [];
  for (const char of text.slice(separator + 1)) {
    const value = BECH32_CHARSET.indexOf(char);
    if (value === -1) return false;
    data.push(value);
  }
  if (data.length < 7) return false;
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...data];
  const residue = bech32Polymod(expanded);
  const version = data[0]!;
  if (version > 16 || residue !== (version === 0 ? BECH32_CONSTANT : BECH32M_CONSTANT)) return false;
  const programBits = (data.length - 7) * 5;
  const programBytes = Math.floor(programBits / 8);
  if (programBytes < 2 || programBytes > 40) return false;
  return version !== 0 || programBytes === 20 || programBytes === 32;
}

const encoder = new TextEncoder();

/**
 * Ethereum address check: "0x" + 40 hex digits. All-lower or all-upper case carries no checksum and
 * is accepted as "unchecked"; mixed case must match EIP-55 (keccak-256 of the lower-case hex).
 */
export function ethereumAddressCheck(address: string): "checksummed" | "unchecked" | "invalid" {
  const hex = address.slice(2);
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) return "invalid";
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return "unchecked";
  const hash = keccak256(encoder.encode(hex.toLowerCase()));
  for (let i = 0; i < 40; i++) {
    const char = hex[i]!;
    if (char >= "0" && char <= "9") continue;
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    if ((nibble >= 8) !== (char >= "A" && char <= "F")) return "invalid";
  }
  return "checksummed";
}
