// Context words: a value near "SSN", "card" or "phone" is far more likely what its shape suggests.
// Recognizers look a few dozen characters either side of a match; some only run when their
// context word appears anywhere in the text (a passport number is just nine digits otherwise).

/** How far before / after a match context words are looked for (UTF-16 units). */
export const CONTEXT_BEFORE = 48;
export const CONTEXT_AFTER = 24;

/** A case-insensitive regex matching any of the given words (regex fragments) not inside a longer word. */
export function contextWords(words: readonly string[]): RegExp {
  return new RegExp(`(?<![A-Za-z0-9])(?:${words.join("|")})(?![A-Za-z0-9])`, "i");
}

/** True when `words` occur within the window before `start` or after `end`. */
export function hasContext(text: string, start: number, end: number, words: RegExp, before = CONTEXT_BEFORE, after = CONTEXT_AFTER): boolean {
  return words.test(text.slice(Math.max(0, start - before), start)) || words.test(text.slice(end, Math.min(text.length, end + after)));
}

/** Runs a global regex over `text`, calling `onMatch` per match; resets the regex first and after. */
export function eachMatch(regex: RegExp, text: string, onMatch: (match: RegExpExecArray) => void): void {
  regex.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(text)) !== null) {
    onMatch(match);
    if (match[0].length === 0) regex.lastIndex++;
  }
  regex.lastIndex = 0;
}

/** Number of ASCII digits in a string. */
export function countDigits(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/** Clamps a score to [0, 1] with two decimals (scores are compared against thresholds). */
export function score(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}
