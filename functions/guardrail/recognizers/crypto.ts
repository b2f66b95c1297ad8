// CRYPTO wallet addresses: Bitcoin legacy (base58check), SegWit/Taproot (bech32/bech32m) and
// Ethereum (EIP-55 checksum when mixed case; lower/upper case only with wallet words nearby).
import { ethereumAddressCheck, isValidBase58CheckAddress, isValidBech32Address } from "../validators/wallets";
import { contextWords, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const BASE58 = /(?<![\w])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![\w])/g;
const BECH32 = /(?<![\w])(?:bc|tb|BC|TB)1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87}(?![\w])/g;
const ETHEREUM = /(?<![\w])0x[0-9a-fA-F]{40}(?![\w])/g;
const CONTEXT = contextWords(["wallet", "address", "eth", "ether", "ethereum", "btc", "bitcoin", "crypto", "send", "deposit", "erc-?20", "usdt", "usdc"]);

export const cryptoRecognizer: Recognizer = {
  name: "crypto",
  scan(text: string, out: Candidate[]): void {
    eachMatch(BASE58, text, (match) => {
      if (isValidBase58CheckAddress(match[0])) out.push({ type: "CRYPTO", start: match.index, end: match.index + match[0].length, score: 0.95, check: "pii", rule: "base58check" });
    });
    eachMatch(BECH32, text, (match) => {
      if (isValidBech32Address(match[0])) out.push({ type: "CRYPTO", start: match.index, end: match.index + match[0].length, score: 0.95, check: "pii", rule: "bech32" });
    });
    if (!text.includes("0x")) return;
    eachMatch(ETHEREUM, text, (match) => {
      const check = ethereumAddressCheck(match[0]);
      if (check === "invalid") return;
      const start = match.index;
      const end = start + match[0].length;
      const boost = hasContext(text, start, end, CONTEXT) ? 0.3 : 0;
      const base = check === "checksummed" ? 0.95 : 0.45;
      out.push({ type: "CRYPTO", start, end, score: score(base + boost), check: "pii", rule: check === "checksummed" ? "eip55" : boost > 0 ? "hex40+context" : "hex40" });
    });
  },
};
