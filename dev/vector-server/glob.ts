// UNIX glob patterns as used by Upstash Vector's GLOB filter operator, compiled to an anchored RegExp:
// `*` any run of characters, `?` exactly one, `[abc]`, `[a-z]`, `[^a-z]` (also `[!a-z]`) one of / none of.
// Case-sensitive. A `]` right after `[` or `[^` is a literal member. Throws on malformed classes.

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/;
const CLASS_SPECIAL = /[\\\]^[-]/;

const escapeChar = (c: string) => (REGEX_SPECIAL.test(c) ? `\\${c}` : c);
const escapeClassChar = (c: string) => (CLASS_SPECIAL.test(c) ? `\\${c}` : c);

/** Compiles a glob pattern to a RegExp matching the whole string. */
export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else if (c === "[") {
      const { regex, end } = readClass(chars, i);
      source += regex;
      i = end;
    } else source += escapeChar(c);
  }
  return new RegExp(`^${source}$`, "u");
}

/** Reads the class starting at chars[start] === "["; returns its regex and the index of the closing "]". */
function readClass(chars: string[], start: number): { regex: string; end: number } {
  let i = start + 1;
  const negated = chars[i] === "^" || chars[i] === "!";
  if (negated) i++;
  let members = "";
  let first = true;
  for (; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "]" && !first) return { regex: `[${negated ? "^" : ""}${members}]`, end: i };
    first = false;
    const rangeEnd = chars[i + 2];
    if (chars[i + 1] === "-" && rangeEnd !== undefined && rangeEnd !== "]") {
      if (rangeEnd.codePointAt(0)! < c.codePointAt(0)!) throw new Error(`range '${c}-${rangeEnd}' is reversed`);
      members += `${escapeClassChar(c)}-${escapeClassChar(rangeEnd)}`;
      i += 2;
    } else {
      members += escapeClassChar(c);
    }
  }
  throw new Error("'[' has no closing ']'");
}
