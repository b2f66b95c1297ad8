// EMAIL_ADDRESS: found from each "@" outwards (linear time, no regex backtracking over long words),
// confirmed by a domain with a dot-separated label structure and an alphabetic top-level domain.
import type { Candidate, Recognizer } from "./types";

const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;

function isLocalChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45 || code === 39;
}
function isDomainChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 46 || code === 45;
}

const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{2,59})$/;

export const emailRecognizer: Recognizer = {
  name: "email",
  scan(text: string, out: Candidate[]): void {
    let at = text.indexOf("@");
    while (at !== -1) {
      let start = at;
      while (start > 0 && at - start < MAX_LOCAL_LENGTH && isLocalChar(text.charCodeAt(start - 1))) start--;
      while (start < at && text.charCodeAt(start) === 46) start++;
      let end = at + 1;
      while (end < text.length && end - at <= MAX_DOMAIN_LENGTH && isDomainChar(text.charCodeAt(end))) end++;
      while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
      if (start < at && text.charCodeAt(at - 1) !== 46 && DOMAIN.test(text.slice(at + 1, end))) {
        out.push({ type: "EMAIL_ADDRESS", start, end, score: 1, check: "pii", rule: "email" });
      }
      at = text.indexOf("@", Math.max(end, at + 1));
    }
  },
};
