// Shared steps of the checks: assess every text of a request or answer (collecting decisions with
// their paths and returning the redacted text), say why a verdict was reached without echoing any
// value, build the masked preview a reviewer sees, and hash a request so an approval fits only it.
import type { ChatCompletionRequest, Direction, Finding, GuardrailRule } from "@llm-edge/shared";
import type { TextVisitor } from "./chat-texts";
import { assessText, redactText, type Decision } from "./engine";
import type { CompiledPolicy } from "./policy";
import { applyRedactions } from "./redact";
import { sha256, toHex } from "./validators/sha256";

/** A decision about one text of a chat (its path) or about the whole answer (no path). */
export interface PathDecision extends Decision {
  path?: string;
  /** Extra explanation for the reason (schema violations), never a checked value. */
  detail?: string;
}

export interface CheckedText {
  path: string;
  text: string;
  decisions: Decision[];
}

const MAX_REASON_ITEMS = 5;
const MAX_PREVIEW_PER_TEXT = 1_000;
const MAX_PREVIEW = 4_000;

/** The salt of "hash" redactions: the policy's secret salt, scoped to the tenant. */
export function redactionSalt(compiled: CompiledPolicy, tenant: string): string {
  return `${compiled.policy.hashSalt}\u0000${tenant}`;
}

/**
 * A visitor that assesses each text under the policy and direction, appends its decisions (with
 * path) to `decisions` and the text to `texts` (for previews), and returns the redacted text.
 */
export function assessingVisitor(compiled: CompiledPolicy, direction: Direction, salt: string, decisions: PathDecision[], texts: CheckedText[]): TextVisitor {
  return (text, path, scope) => {
    const assessment = assessText(text, compiled, direction, scope);
    texts.push({ path, text, decisions: assessment.decisions });
    for (const decision of assessment.decisions) decisions.push({ ...decision, path });
    return redactText(text, assessment.decisions, salt);
  };
}

/** The findings of decisions, each with its path. */
export function findingsOf(decisions: readonly PathDecision[]): Finding[] {
  return decisions.map(({ finding, path }) => (path === undefined ? finding : { ...finding, path }));
}

const ACTION_OF_VERDICT = { block: "block", escalate: "escalate" } as const satisfies Record<string, GuardrailRule["action"]>;

/**
 * Why a block or escalation happened, safe to show: finding types, rules and places, never values,
 * e.g. `OPENAI_API_KEY (sk-project) in messages[1].content`.
 */
export function reasonFor(verdict: "block" | "escalate", decisions: readonly PathDecision[]): string {
  const items = new Set<string>();
  for (const { finding, rule, path, detail } of decisions) {
    if (rule.action !== ACTION_OF_VERDICT[verdict]) continue;
    items.add(`${finding.type}${finding.rule ? ` (${finding.rule})` : ""}${path ? ` in ${path}` : ""}${detail ? `: ${detail}` : ""}`);
  }
  const listed = [...items].slice(0, MAX_REASON_ITEMS);
  const more = items.size - listed.length;
  return `${verdict === "block" ? "found" : "needs review for"} ${listed.join("; ")}${more > 0 ? ` and ${more} more` : ""}`;
}

/**
 * What a reviewer sees: each text with personal data and secrets masked (whatever the policy does
 * with them), injection and policy findings left readable, truncated to a few thousand characters.
 */
export function previewOf(texts: readonly CheckedText[]): string {
  const lines = texts.map(({ path, text, decisions }) => {
    const masks = decisions
      .filter(({ finding }) => (finding.check === "pii" || finding.check === "secret") && finding.end > finding.start)
      .map(({ finding }) => ({ start: finding.start, end: finding.end, type: finding.type, mode: "mask" as const }));
    const masked = applyRedactions(text, masks, "");
    return `${path}: ${masked.length > MAX_PREVIEW_PER_TEXT ? `${masked.slice(0, MAX_PREVIEW_PER_TEXT)}…` : masked}`;
  });
  const preview = lines.join("\n");
  return preview.length > MAX_PREVIEW ? `${preview.slice(0, MAX_PREVIEW)}…` : preview;
}

/** JSON with object keys sorted, so the same value always serializes the same way. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Identifies a chat request by its model and messages (key order and other options do not matter). */
export function requestHash(request: ChatCompletionRequest): string {
  return toHex(sha256(stableJson({ model: request.model, messages: request.messages })));
}

/** Identifies a checked text. */
export function textHash(text: string, direction: Direction): string {
  return toHex(sha256(`${direction}\u0000${text}`));
}
