// Redaction: replaces spans of a text per their rule's mode — mask (`***-**-****`, separators kept,
// same length), placeholder (`[US_SSN]`), hash (`[US_SSN:1a2b3c4d]`, salted SHA-256, the same value
// always gives the same tag) or remove. Overlapping spans merge into one (the earliest's mode wins).
import type { RedactionMode } from "@llm-edge/shared";
import { sha256, toHex } from "./validators/sha256";

export interface Redaction {
  start: number;
  end: number;
  type: string;
  mode: RedactionMode;
}

/** Characters a mask keeps, so "***-**-****" still reads as an SSN-shaped value. */
const MASK_KEEPS = /[\s\-.@:/()+_,]/;

function maskOf(value: string): string {
  let masked = "";
  for (const char of value) masked += MASK_KEEPS.test(char) ? char : "*".repeat(char.length);
  return masked;
}

/** The replacement text for one value. */
export function replacementFor(value: string, type: string, mode: RedactionMode, salt: string): string {
  switch (mode) {
    case "mask":
      return maskOf(value);
    case "placeholder":
      return `[${type}]`;
    case "hash":
      return `[${type}:${toHex(sha256(`${salt}\u0000${value}`)).slice(0, 8)}]`;
    case "remove":
      return "";
  }
}

/** Sorted, non-overlapping redactions: a span overlapping the previous one extends it. */
function merged(redactions: readonly Redaction[]): Redaction[] {
  const sorted = [...redactions].sort((a, b) => a.start - b.start || b.end - a.end);
  const result: Redaction[] = [];
  for (const redaction of sorted) {
    const last = result.at(-1);
    if (last && redaction.start < last.end) {
      last.end = Math.max(last.end, redaction.end);
      continue;
    }
    result.push({ ...redaction });
  }
  return result;
}

/** Applies redactions to a text; spans are UTF-16 offsets into it. */
export function applyRedactions(text: string, redactions: readonly Redaction[], salt: string): string {
  if (redactions.length === 0) return text;
  let result = "";
  let cursor = 0;
  for (const redaction of merged(redactions)) {
    result += text.slice(cursor, redaction.start) + replacementFor(text.slice(redaction.start, redaction.end), redaction.type, redaction.mode, salt);
    cursor = redaction.end;
  }
  return result + text.slice(cursor);
}
