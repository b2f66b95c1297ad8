// Prompt-injection and jailbreak heuristics, each a scored rule: instruction overrides, fake role
// tags, role-play jailbreaks, system-prompt exfiltration, encoded payloads (base64/hex that decode
// to text, scored higher when the decoded text itself trips a rule), invisible and bidi Unicode,
// and markdown/HTML images whose URL could carry data out. Findings name the rule that fired.
import { eachMatch } from "./recognizers/context";
import type { Candidate, Recognizer } from "./recognizers/types";

interface PhraseRule {
  type: "PROMPT_INJECTION" | "JAILBREAK" | "SYSTEM_PROMPT_EXFILTRATION";
  rule: string;
  regex: RegExp;
  score: number;
}

const INSTRUCTION_NOUN = "(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails|constraints|policies|programming)";
const OVERRIDE_VERB = "(?:ignore|disregard|forget|override|bypass)";

const PHRASE_RULES: readonly PhraseRule[] = [
  {
    type: "PROMPT_INJECTION",
    rule: "instruction_override",
    regex: new RegExp(`\\b${OVERRIDE_VERB}\\b[^.!?\\n]{0,30}?\\b(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|developer|all(?: of)?(?: the| your| my| these)?)\\s+(?:\\w+\\s+){0,2}?${INSTRUCTION_NOUN}\\b`, "gi"),
    score: 0.9,
  },
  {
    // "ignore your instructions" is an attack as often as "ignore the instructions on the box" is not.
    type: "PROMPT_INJECTION",
    rule: "instruction_override_weak",
    regex: new RegExp(`\\b${OVERRIDE_VERB}\\s+(?:your|the|any|these|those)\\s+${INSTRUCTION_NOUN}\\b`, "gi"),
    score: 0.6,
  },
  {
    type: "PROMPT_INJECTION",
    rule: "new_instructions",
    regex: /\b(?:new|updated|real|actual|true|revised)\s+(?:system\s+)?(?:instructions?|prompt|rules|directives?)\s*(?::|-|are|follow)|\bfrom now on,?\s+(?:you\s+(?:will|must|are|shall)|only|always|never)\b|\byour (?:new|real|only) (?:task|goal|purpose|job) is\b/gi,
    score: 0.65,
  },
  {
    type: "PROMPT_INJECTION",
    rule: "special_tokens",
    regex: /<\|(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|>|\[\/?INST\]|<<\/?SYS>>/gi,
    score: 0.85,
  },
  {
    type: "PROMPT_INJECTION",
    rule: "role_tag",
    regex: /(?:^|\n)[ \t]{0,8}#{0,3}[ \t]{0,4}(?:system|assistant)[ \t]{0,4}(?:prompt|message)?[ \t]{0,4}:[ \t]{0,4}\S/gi,
    score: 0.6,
  },
  {
    type: "JAILBREAK",
    rule: "jailbreak_persona",
    regex: /\b(?:do anything now|DAN mode|developer mode (?:enabled|on|activated)|jailbr(?:eak|oken)(?:ed)? mode|you are (?:now )?(?:DAN|jailbroken|unfiltered|uncensored)|act as an? (?:unrestricted|unfiltered|uncensored|evil|amoral)\b|(?:unfiltered|uncensored|unrestricted) (?:mode|ai|assistant|model|response))/gi,
    score: 0.9,
  },
  {
    type: "JAILBREAK",
    rule: "restrictions_off",
    regex: /\b(?:respond|answer|reply|act|behave|operate|talk|write|speak)\b(?:\s+\w+){0,3}?\s+(?:without|with no|free (?:of|from))\s+(?:any\s+|all\s+|your\s+)?(?:ethical\s+|moral\s+|safety\s+|content\s+)?(?:restrictions|filters|limitations|guidelines|censorship|rules|policies|safeguards)\b|\b(?:you are )?no longer (?:bound|restricted|limited) by\b|\b(?:pretend|imagine|roleplay|role-play|act as if|assume) (?:that )?you (?:are|were|have) (?:no\s+|an? (?:ai|model) (?:with|without) (?:no )?)(?:rules|restrictions|filters|limits|guidelines|morals|ethics)/gi,
    score: 0.85,
  },
  {
    type: "SYSTEM_PROMPT_EXFILTRATION",
    rule: "reveal_system_prompt",
    regex: /\b(?:reveal|show|print|repeat|output|display|tell me|give me|share|leak|dump|spell out|write out|recite|what (?:is|are|was|were))\b[^.!?\n]{0,30}?\b(?:your|the)\s+(?:full\s+|exact\s+|entire\s+)?(?:system|initial|original|hidden|secret|developer|internal|pre-?prompt)\s*(?:prompt|instructions?|message|rules|configuration)\b/gi,
    score: 0.85,
  },
  {
    type: "SYSTEM_PROMPT_EXFILTRATION",
    rule: "repeat_above",
    regex: /\b(?:repeat|print|output|copy|echo)\b[^.!?\n]{0,20}?\b(?:everything|all|the (?:text|words|content|messages?))\s+(?:above|before|prior)|\bwhat (?:was|were) (?:written|said) (?:above|before) (?:this|my)/gi,
    score: 0.8,
  },
];

/**
 * Runs the phrase rules over a text and returns the best score that fired. With `out`, each match is
 * appended as a finding; without, it only scores (used on decoded payloads).
 */
function scanPhrases(text: string, out?: Candidate[]): number {
  let best = 0;
  for (const rule of PHRASE_RULES) {
    eachMatch(rule.regex, text, (match) => {
      best = Math.max(best, rule.score);
      out?.push({ type: rule.type, start: match.index, end: match.index + match[0].length, score: rule.score, check: "injection", rule: rule.rule });
    });
  }
  return best;
}

const BASE64_RUN = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=_-])/g;
const HEX_RUN = /(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){24,}(?![0-9A-Za-z])/g;
const MAX_DECODED = 4_096;

/** Decoded bytes as text when they are mostly printable natural language (spaces included). */
function asNaturalText(bytes: Uint8Array): string | undefined {
  let printable = 0;
  let spaces = 0;
  for (const byte of bytes) {
    if ((byte >= 32 && byte < 127) || byte === 10 || byte === 13 || byte === 9) printable++;
    if (byte === 32) spaces++;
  }
  if (bytes.length === 0 || printable / bytes.length < 0.95 || spaces < 2) return undefined;
  return new TextDecoder().decode(bytes);
}

function decodeBase64(run: string): Uint8Array | undefined {
  try {
    const binary = atob(run.slice(0, Math.floor(Math.min(run.length, (MAX_DECODED * 4) / 3) / 4) * 4));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function decodeHex(run: string): Uint8Array {
  const length = Math.min(run.length / 2, MAX_DECODED);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(run.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function scanEncoded(text: string, out: Candidate[]): void {
  const inspect = (match: RegExpExecArray, bytes: Uint8Array | undefined, rule: string) => {
    const decoded = bytes && asNaturalText(bytes);
    if (decoded === undefined) return;
    const span = { start: match.index, end: match.index + match[0].length };
    const nested = scanPhrases(decoded);
    out.push({ type: "ENCODED_PAYLOAD", ...span, score: nested > 0 ? 0.95 : 0.5, check: "injection", rule: nested > 0 ? `${rule}+injection` : rule });
  };
  eachMatch(BASE64_RUN, text, (match) => inspect(match, decodeBase64(match[0]), "base64_text"));
  eachMatch(HEX_RUN, text, (match) => inspect(match, decodeHex(match[0]), "hex_text"));
}

/** Bidi controls and tag characters hide text from people; zero-width characters split words. */
const INVISIBLE = /(?:[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\u180E]|\uDB40[\uDC00-\uDC7F])+/g;
const STRONG_INVISIBLE = /[\u202A-\u202E\u2066-\u2069]|\uDB40[\uDC00-\uDC7F]/;
const JOINERS_ONLY = /^[\u200C\u200D]+$/;

function scanInvisible(text: string, out: Candidate[]): void {
  eachMatch(INVISIBLE, text, (match) => {
    const run = match[0];
    const start = match.index;
    if (start === 0 && run === "\uFEFF") return;
    // A zero-width joiner between emoji or in Indic/Persian script is how those are written.
    if (JOINERS_ONLY.test(run) && run.length < 3) return;
    const strong = STRONG_INVISIBLE.test(run);
    const value = strong ? 0.9 : run.length >= 3 ? 0.8 : 0.6;
    out.push({ type: "INVISIBLE_UNICODE", start, end: start + run.length, score: value, check: "injection", rule: strong ? "bidi_or_tag_characters" : "zero_width_characters" });
  });
}

/** ![alt](url) and <img src="url">: rendering the image sends the URL (and what it carries) out. */
const MARKDOWN_IMAGE = /!\[[^\]\n]{0,500}\]\(\s*<?(https?:\/\/[^\s)>]{1,2000})>?(?:\s+"[^"\n]*")?\s*\)|<img\b[^>]{0,500}?\bsrc\s*=\s*["']?(https?:\/\/[^\s"'>]{1,2000})[^>]{0,500}>/gi;

function scanMarkdownImages(text: string, out: Candidate[]): void {
  if (!text.includes("![") && !/<img/i.test(text)) return;
  eachMatch(MARKDOWN_IMAGE, text, (match) => {
    const url = match[1] ?? match[2] ?? "";
    const query = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
    const carriesData = query.length >= 20 || /\{\{|\$\{|%7B|\[.*\]/i.test(url) || /[A-Za-z0-9+/=_-]{32,}/.test(url);
    out.push({ type: "MARKDOWN_EXFILTRATION", start: match.index, end: match.index + match[0].length, score: carriesData ? 0.9 : 0.5, check: "injection", rule: carriesData ? "image_url_with_data" : "external_image" });
  });
}

export const injectionRecognizer: Recognizer = {
  name: "injection",
  scan(text: string, out: Candidate[]): void {
    scanPhrases(text, out);
    scanEncoded(text, out);
    scanInvisible(text, out);
    scanMarkdownImages(text, out);
  },
};
