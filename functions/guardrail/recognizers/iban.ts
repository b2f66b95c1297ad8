// IBAN_CODE: a country code, two check digits and up to 30 letters/digits, optionally in groups of
// four ("GB82 WEST 1234 …"), in either case; confirmed by ibantools (country-specific length and format, then mod-97).
import { electronicFormatIBAN, isValidIBAN } from "ibantools";
import { contextWords, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])/g;
const CONTEXT = contextWords(["iban", "account", "bank", "transfer", "wire", "sepa", "payment", "swift", "bic"]);
const MAX_TRIMS = 3;

/** The longest prefix of a candidate (dropping trailing space-separated groups) that is a valid IBAN. */
function longestValid(candidate: string): string | undefined {
  let value = candidate;
  for (let trims = 0; trims <= MAX_TRIMS; trims++) {
    const electronic = electronicFormatIBAN(value)?.toUpperCase();
    if (electronic && isValidIBAN(electronic)) return value;
    const space = value.lastIndexOf(" ");
    if (space === -1) return undefined;
    value = value.slice(0, space);
  }
  return undefined;
}

export const ibanRecognizer: Recognizer = {
  name: "iban",
  scan(text: string, out: Candidate[]): void {
    eachMatch(CANDIDATE, text, (match) => {
      const value = longestValid(match[0]);
      if (!value) return;
      const start = match.index;
      const end = start + value.length;
      const boost = hasContext(text, start, end, CONTEXT) ? 0.1 : 0;
      out.push({ type: "IBAN_CODE", start, end, score: score(0.9 + boost), check: "pii", rule: "mod97" });
    });
  },
};
