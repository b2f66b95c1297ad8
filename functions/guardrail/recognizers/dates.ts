// DATE_TIME: calendar dates (ISO with optional time, d/m/y or m/d/y, "12 March 1990", "March 12,
// 1990"). A plain date is not personal, so it scores low; birth words nearby ("born", "DOB", "date
// of birth") make it a date of birth and score it high.
import { contextWords, eachMatch, hasContext, score } from "./context";
import type { Candidate, Recognizer } from "./types";

const MONTH = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DAY = "(?:[12]\\d|3[01]|0?[1-9])(?:st|nd|rd|th)?";
const DATE = new RegExp(
  [
    "(?<![\\w.:/-])(?:19|20)\\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?:[T ](?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d+)?)?)?(?![\\w]|[.:/-]\\d)",
    "(?<![\\w.:/-])\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})(?![\\w]|[.:/-]\\d)",
    `(?<![\\w])${DAY} ${MONTH}\\.?,? (?:19|20)\\d{2}(?![\\w])`,
    `(?<![\\w])${MONTH}\\.? ${DAY},? (?:19|20)\\d{2}(?![\\w])`,
  ].join("|"),
  "gi",
);
const NUMERIC = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/;
const BIRTH_CONTEXT = contextWords(["born", "birth", "birthday", "birthdate", "dob", "d\\.o\\.b\\.?", "date of birth", "birth date", "née", "age"]);

/** For d/m/y or m/d/y forms: one of the two readings must be a real day and month. */
function plausibleNumericDate(value: string): boolean {
  const parts = NUMERIC.exec(value);
  if (!parts) return true;
  const first = Number(parts[1]);
  const second = Number(parts[2]);
  const dayMonth = first >= 1 && first <= 31 && second >= 1 && second <= 12;
  const monthDay = first >= 1 && first <= 12 && second >= 1 && second <= 31;
  return dayMonth || monthDay;
}

export const dateRecognizer: Recognizer = {
  name: "date",
  scan(text: string, out: Candidate[]): void {
    eachMatch(DATE, text, (match) => {
      if (!plausibleNumericDate(match[0])) return;
      const start = match.index;
      const end = start + match[0].length;
      const birth = hasContext(text, start, end, BIRTH_CONTEXT);
      out.push({ type: "DATE_TIME", start, end, score: score(birth ? 0.85 : 0.3), check: "pii", rule: birth ? "date_of_birth" : "date" });
    });
  },
};
