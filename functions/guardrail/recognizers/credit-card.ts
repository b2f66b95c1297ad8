// CREDIT_CARD: 12-19 digits (optionally grouped by spaces or dashes) that pass the Luhn check.
// A known issuer prefix raises the score; card words nearby ("card", "visa", "cvv") raise it more.
import { passesLuhn } from "../validators/checksums";
import { contextWords, countDigits, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const CANDIDATE = /(?<![\w.+-])\d(?:[ -]?\d){11,18}(?![\w]|[.-]\d)/g;
const CONTEXT = contextWords(["card", "cards", "credit", "debit", "visa", "mastercard", "master card", "amex", "american express", "discover", "jcb", "diners", "maestro", "unionpay", "cc", "ccn", "pan", "cvv", "cvc", "expir\\w*", "billing", "billed", "charge", "payment", "pay"]);

/** Issuer prefixes (IIN ranges) with the lengths those issuers use. */
function knownIssuer(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  const six = Number(digits.slice(0, 6));
  if (digits[0] === "4") return length === 13 || length === 16 || length === 19;
  if ((two >= 51 && two <= 55) || (six >= 222100 && six <= 272099)) return length === 16;
  if (two === 34 || two === 37) return length === 15;
  if (four === 6011 || two === 65 || (four >= 6440 && four <= 6499)) return length >= 16;
  if (four >= 3528 && four <= 3589) return length >= 16;
  if (four === 2131 || four === 1800) return length === 15;
  if ((four >= 3000 && four <= 3059) || two === 36 || two === 38 || two === 39) return length >= 14 && length <= 19;
  if (two === 62) return length >= 16;
  if (two === 50 || (two >= 56 && two <= 69)) return length >= 12;
  return false;
}

export const creditCardRecognizer: Recognizer = {
  name: "credit-card",
  scan(text: string, out: Candidate[]): void {
    eachMatch(CANDIDATE, text, (match) => {
      const value = match[0];
      const digits = value.replace(/\D/g, "");
      if (digits.length < 12 || digits.length > 19 || /^(\d)\1+$/.test(digits) || !passesLuhn(digits)) return;
      if (countDigits(value) !== digits.length) return;
      const start = match.index;
      const end = start + value.length;
      const base = knownIssuer(digits) ? 0.6 : 0.45;
      const boost = hasContext(text, start, end, CONTEXT) ? 0.35 : 0;
      out.push({ type: "CREDIT_CARD", start, end, score: score(base + boost), check: "pii", rule: boost > 0 ? "luhn+context" : "luhn" });
    });
  },
};
