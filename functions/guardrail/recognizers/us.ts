// US identifiers: US_SSN and US_ITIN (3-2-4 digits, checked against the SSA's rules), and the
// context-only ones whose shapes are too common to trust alone — US_PASSPORT, US_BANK_NUMBER,
// US_DRIVER_LICENSE — which run only when their words appear in the text and score near them.
import { isPlausibleItin, isPlausibleSsn } from "../validators/checksums";
import { contextWords, countDigits, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const THREE_TWO_FOUR = /(?<![\w.+-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w]|[.-]\d)/g;
const SSN_CONTEXT = contextWords(["ssn", "ssns", "ss#", "ss no", "social security", "social sec", "soc sec"]);
const ITIN_CONTEXT = contextWords(["itin", "taxpayer", "tax id", "tax identification", "tin"]);

/** Score of a 3-2-4 number by its separators: dashes are the canonical form, no separator is weakest. */
function shapeScore(separator: string): number {
  return separator === "-" ? 0.5 : separator === " " ? 0.4 : 0.3;
}

export const usSsnRecognizer: Recognizer = {
  name: "us-ssn-itin",
  scan(text: string, out: Candidate[]): void {
    eachMatch(THREE_TWO_FOUR, text, (match) => {
      const start = match.index;
      const end = start + match[0].length;
      const base = shapeScore(match[2] ?? "");
      if (isPlausibleSsn(match[0])) {
        const boost = hasContext(text, start, end, SSN_CONTEXT) ? 0.4 : 0;
        out.push({ type: "US_SSN", start, end, score: score(base + boost), check: "pii", rule: boost > 0 ? "ssa_rules+context" : "ssa_rules" });
      } else if (isPlausibleItin(match[0])) {
        const boost = hasContext(text, start, end, ITIN_CONTEXT) ? 0.4 : 0;
        out.push({ type: "US_ITIN", start, end, score: score(base + boost), check: "pii", rule: boost > 0 ? "itin_groups+context" : "itin_groups" });
      }
    });
  },
};

/** A recognizer that scores `candidate` matches only near its context words (and skips texts without them). */
function contextOnly(name: string, type: string, candidate: RegExp, words: RegExp, matchScore: number, accept: (value: string) => boolean): Recognizer {
  return {
    name,
    scan(text: string, out: Candidate[]): void {
      if (!words.test(text)) return;
      eachMatch(candidate, text, (match) => {
        const start = match.index;
        const end = start + match[0].length;
        if (!accept(match[0]) || !hasContext(text, start, end, words)) return;
        out.push({ type, start, end, score: matchScore, check: "pii", rule: "context" });
      });
    },
  };
}

export const usPassportRecognizer = contextOnly(
  "us-passport",
  "US_PASSPORT",
  /(?<![\w-])(?:[A-Z]\d{8}|\d{9})(?![\w]|-\d)/g,
  contextWords(["passport", "passports", "passport no", "passport number", "travel document"]),
  0.75,
  () => true,
);

export const usBankNumberRecognizer = contextOnly(
  "us-bank-number",
  "US_BANK_NUMBER",
  /(?<![\w.+-])\d{8,17}(?![\w]|[.-]\d)/g,
  contextWords(["bank account", "account", "acct", "account number", "account no", "checking", "savings", "routing", "aba"]),
  0.7,
  () => true,
);

export const usDriverLicenseRecognizer = contextOnly(
  "us-driver-license",
  "US_DRIVER_LICENSE",
  /(?<![\w-])[A-Za-z]{0,2}\d[\d-]{3,17}\d(?![\w]|-\d)/g,
  contextWords(["driver'?s? licen[cs]es?", "drivers? licen[cs]es?", "driving licen[cs]es?", "licen[cs]e (?:number|no|#)", "dl", "dln", "dl#"]),
  0.75,
  (value) => {
    const digits = countDigits(value);
    return digits >= 5 && digits <= 16;
  },
);
