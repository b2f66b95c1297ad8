// Secrets: provider API keys by their documented prefixes (OpenAI, Anthropic, AWS, GitHub, Slack,
// Stripe, Google), JWTs (header must decode to JSON with "alg"), PEM private-key blocks, and
// GENERIC_SECRET: a high-entropy value assigned to or following a secret-ish word ("password=",
// "api key:", "Bearer …"). Only the value is reported, so redaction keeps the surrounding text.
import { contextWords, eachMatch, score } from "./recognizers/context";
import type { Candidate, Recognizer } from "./recognizers/types";

interface KeyPattern {
  type: string;
  rule: string;
  regex: RegExp;
  score: number;
}

const KEY_PATTERNS: readonly KeyPattern[] = [
  { type: "ANTHROPIC_API_KEY", rule: "sk-ant", regex: /(?<![\w-])sk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{32,}/g, score: 0.99 },
  { type: "ANTHROPIC_API_KEY", rule: "sk-ant-generic", regex: /(?<![\w-])sk-ant-(?!(?:api|admin|sid)\d{2}-)[A-Za-z0-9_-]{20,}/g, score: 0.9 },
  { type: "OPENAI_API_KEY", rule: "sk-project", regex: /(?<![\w-])sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}/g, score: 0.97 },
  { type: "OPENAI_API_KEY", rule: "sk-legacy", regex: /(?<![\w-])sk-(?!ant-|proj-|svcacct-|admin-|None-)[A-Za-z0-9]{20,}(?:T3BlbkFJ[A-Za-z0-9]{20,})?(?![\w-])/g, score: 0.85 },
  { type: "AWS_ACCESS_KEY", rule: "akia", regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z2-7]{16}(?![A-Za-z0-9])/g, score: 0.9 },
  { type: "GITHUB_TOKEN", rule: "ghx_", regex: /(?<![\w])gh[pousr]_[A-Za-z0-9]{36,251}(?![\w])/g, score: 0.97 },
  { type: "GITHUB_TOKEN", rule: "github_pat", regex: /(?<![\w])github_pat_[A-Za-z0-9_]{22,255}(?![\w])/g, score: 0.97 },
  { type: "SLACK_TOKEN", rule: "xox", regex: /(?<![\w-])xox[abposr]-(?:\d+-)?[A-Za-z0-9-]{10,}(?![\w-])/g, score: 0.95 },
  { type: "SLACK_TOKEN", rule: "slack_webhook", regex: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/g, score: 0.95 },
  { type: "STRIPE_KEY", rule: "stripe_secret", regex: /(?<![\w])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}(?![\w])/g, score: 0.97 },
  { type: "STRIPE_KEY", rule: "stripe_webhook", regex: /(?<![\w])whsec_[A-Za-z0-9]{24,}(?![\w])/g, score: 0.95 },
  { type: "GOOGLE_API_KEY", rule: "aiza", regex: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g, score: 0.95 },
  { type: "PRIVATE_KEY", rule: "pem_block", regex: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,16000}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]{0,16000})/g, score: 0.99 },
];

/** Cheap test: the text contains at least one of the prefixes the key patterns start with. */
const ANY_KEY_PREFIX = /sk-|AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA|gh[pousr]_|github_pat_|xox|hooks\.slack|_live_|_test_|whsec_|AIza|PRIVATE KEY/;

const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;

/** True when a JWT's header segment is base64url JSON with an "alg" field. */
function hasJwtHeader(token: string): boolean {
  const header = token.slice(0, token.indexOf("."));
  try {
    const json = atob(header.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(header.length / 4) * 4, "="));
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === "object" && parsed !== null && "alg" in parsed;
  } catch {
    return false;
  }
}

const SECRET_WORD = contextWords([
  "password", "passwd", "pwd", "passphrase", "pass", "secret", "secrets", "client[ _-]?secret", "token", "access[ _-]?token", "auth[ _-]?token",
  "refresh[ _-]?token", "api[ _-]?key", "apikey", "access[ _-]?key", "secret[ _-]?key", "private[ _-]?key", "credentials?", "bearer", "authorization",
]);
/** A secret-ish word (optionally quoted, as in JSON/YAML/env files), a separator, then the value. */
const ASSIGNMENT = new RegExp(`(${SECRET_WORD.source})(["']?\\s{0,3}(?:[:=]|:=|=>|\\bis\\b|\\bwas\\b)?\\s{0,3}["'\`]?(?:bearer\\s+)?)([^\\s"'\`,;<>)]{6,200})`, "gi");
const PASSWORD_WORD = /^(?:password|passwd|pwd|passphrase|pass)/i;
const EXPLICIT_SEPARATOR = /^["']?\s{0,3}(?:[:=]|:=|=>)/;
const STATED = /^["']?\s{0,3}(?:is|was)\b/i;

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function characterClasses(value: string): number {
  return Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/\d/.test(value)) + Number(/[^A-Za-z0-9]/.test(value));
}

const PLACEHOLDER_VALUE = /^(?:\$\{?|\{\{|<|%|\[|process\.env|env\.|os\.environ)|^(?:null|none|undefined|true|false|redacted|\*+|x+|changeme)$/i;

/**
 * Scores a value that follows a secret-ish word: a password after "=", ":" or "is" needs only to
 * look like one (6+ chars of 2+ character classes); other values must be long, mixed and
 * high-entropy. Template references ("${API_KEY}", "process.env.X") are not secrets.
 */
function genericSecretScore(word: string, rest: string, value: string): number {
  if (PLACEHOLDER_VALUE.test(value)) return 0;
  const separator = EXPLICIT_SEPARATOR.test(rest);
  const classes = characterClasses(value);
  if (PASSWORD_WORD.test(word) && (separator || STATED.test(rest)) && value.length >= 6 && classes >= 2) return 0.8;
  if (value.length >= 16 && classes >= 2 && entropy(value) >= 3.3) return separator ? 0.85 : 0.7;
  return 0;
}

export const secretRecognizer: Recognizer = {
  name: "secrets",
  scan(text: string, out: Candidate[]): void {
    if (ANY_KEY_PREFIX.test(text)) {
      for (const pattern of KEY_PATTERNS) {
        eachMatch(pattern.regex, text, (match) => {
          out.push({ type: pattern.type, start: match.index, end: match.index + match[0].trimEnd().length, score: pattern.score, check: "secret", rule: pattern.rule });
        });
      }
    }
    if (text.includes("eyJ")) {
      eachMatch(JWT, text, (match) => {
        if (hasJwtHeader(match[0])) out.push({ type: "JWT", start: match.index, end: match.index + match[0].length, score: 0.9, check: "secret", rule: "jwt" });
      });
    }
    if (!SECRET_WORD.test(text)) return;
    eachMatch(ASSIGNMENT, text, (match) => {
      const [whole, word = "", rest = "", value = ""] = match;
      const valueStart = match.index + whole.length - value.length;
      const found = genericSecretScore(word, rest, value);
      if (found > 0) out.push({ type: "GENERIC_SECRET", start: valueStart, end: valueStart + value.length, score: score(found), check: "secret", rule: "secret_word+entropy" });
    });
  },
};
