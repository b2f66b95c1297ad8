// UK identifiers: UK_NHS (10 digits, 3-3-4, mod-11 check digit; NHS words nearby make it likely)
// and UK_NINO (two prefix letters from the allowed set, six digits, suffix A-D).
import { passesNhsCheck } from "../validators/checksums";
import { contextWords, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const NHS_CANDIDATE = /(?<![\w.+-])\d{3}([- ]?)\d{3}\1\d{4}(?![\w]|[.-]\d)/g;
const NHS_CONTEXT = contextWords(["nhs", "national health", "health service", "patient", "hospital", "gp", "nhs number", "nhs no"]);

export const ukNhsRecognizer: Recognizer = {
  name: "uk-nhs",
  scan(text: string, out: Candidate[]): void {
    eachMatch(NHS_CANDIDATE, text, (match) => {
      if (!passesNhsCheck(match[0])) return;
      const start = match.index;
      const end = start + match[0].length;
      const boost = hasContext(text, start, end, NHS_CONTEXT) ? 0.5 : 0;
      out.push({ type: "UK_NHS", start, end, score: score(0.4 + boost), check: "pii", rule: boost > 0 ? "mod11+context" : "mod11" });
    });
  },
};

/** First letter not D F I Q U V, second not D F I O Q U V; BG GB KN NK NT TN ZZ never allocated. */
const NINO_CANDIDATE = /(?<![\w])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])/g;
const NINO_CONTEXT = contextWords(["national insurance", "ni number", "ni no", "nino", "nin"]);

export const ukNinoRecognizer: Recognizer = {
  name: "uk-nino",
  scan(text: string, out: Candidate[]): void {
    eachMatch(NINO_CANDIDATE, text, (match) => {
      const start = match.index;
      const end = start + match[0].length;
      const boost = hasContext(text, start, end, NINO_CONTEXT) ? 0.3 : 0;
      out.push({ type: "UK_NINO", start, end, score: score(0.6 + boost), check: "pii", rule: boost > 0 ? "format+context" : "format" });
    });
  },
};
