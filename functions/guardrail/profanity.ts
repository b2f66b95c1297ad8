// PROFANITY from obscenity's maintained English word list (patterns with word-boundary markers,
// optional parts and wildcards, plus whitelisted look-alikes such as "analog" or "Uranus"). The
// patterns are compiled once into a single regex run over a same-length normalized copy of the text
// (lower case, common leetspeak undone), so offsets stay valid and the scan is one pass; obscenity's
// own matcher measured about 0.4 ms per KB, too slow for the hot path.
import { englishDataset } from "obscenity";
import { eachMatch } from "./recognizers/context";
import type { Candidate } from "./recognizers/types";

/** Obscenity's pattern AST kinds (SyntaxKind): Optional = 0, Wildcard = 1, Literal = 2. */
interface PatternNode {
  kind: number;
  chars?: number[];
  childNode?: PatternNode;
}
interface Pattern {
  nodes: PatternNode[];
  requireWordBoundaryAtStart: boolean;
  requireWordBoundaryAtEnd: boolean;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** How often a letter may repeat ("fuuuck"); bounded so a long run of one letter cannot make the scan quadratic. */
const MAX_REPEAT = 12;

/**
 * Regex source of one pattern. Each literal letter may repeat, as obscenity's presets allow; a
 * wildcard is any non-space character, repeated too (a numbered backreference per wildcard, so
 * `group` counts the capture groups of the combined regex so far).
 */
function patternSource(pattern: Pattern, group: { count: number }): string {
  const nodeSource = (node: PatternNode): string => {
    if (node.kind === 0 && node.childNode) return `(?:${nodeSource(node.childNode)})?`;
    if (node.kind === 1) {
      group.count += 1;
      return `([^\\s])\\${group.count}{0,${MAX_REPEAT - 1}}`;
    }
    return (node.chars ?? []).map((code) => `${escapeRegex(String.fromCodePoint(code))}{1,${MAX_REPEAT}}`).join("");
  };
  const body = pattern.nodes.map(nodeSource).join("");
  return `${pattern.requireWordBoundaryAtStart ? "(?<![a-z])" : ""}${body}${pattern.requireWordBoundaryAtEnd ? "(?![a-z])" : ""}`;
}

let compiled: { blacklist: RegExp; whitelist: RegExp } | undefined;

function matchers(): { blacklist: RegExp; whitelist: RegExp } {
  if (compiled) return compiled;
  const dataset = englishDataset.build();
  const group = { count: 0 };
  const patterns = (dataset.blacklistedTerms ?? []).map((term) => patternSource(term.pattern as unknown as Pattern, group));
  const whitelist = (dataset.whitelistedTerms ?? []).map(escapeRegex).sort((a, b) => b.length - a.length);
  compiled = { blacklist: new RegExp(patterns.join("|"), "g"), whitelist: new RegExp(whitelist.join("|"), "g") };
  return compiled;
}

const LEET: Record<string, string> = { "@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", $: "s", "5": "s", "7": "t" };
const LEET_CHARS = /[@4310!$57]/g;
const UPPER = /[A-Z]/g;

/** Lower-cases ASCII letters and undoes leetspeak, one UTF-16 unit for one, so offsets carry over. */
function normalize(text: string): string {
  let lower = text.toLowerCase();
  // toLowerCase may change the length (e.g. "İ" becomes two units); then lower ASCII only.
  if (lower.length !== text.length) lower = text.replace(UPPER, (char) => char.toLowerCase());
  return lower.replace(LEET_CHARS, (char) => LEET[char] ?? char);
}

/** Appends a PROFANITY finding for every listed word in `text` that is not part of a whitelisted word. */
export function scanProfanity(text: string, out: Candidate[]): void {
  const { blacklist, whitelist } = matchers();
  const normalized = normalize(text);
  const allowed: Array<[number, number]> = [];
  eachMatch(whitelist, normalized, (match) => allowed.push([match.index, match.index + match[0].length]));
  eachMatch(blacklist, normalized, (match) => {
    const start = match.index;
    const end = start + match[0].length;
    if (allowed.some(([from, to]) => start >= from && end <= to)) return;
    out.push({ type: "PROFANITY", start, end, score: 0.8, check: "policy", rule: "obscenity_en" });
  });
}
