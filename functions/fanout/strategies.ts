// Pure helpers of the fan-in strategies: answer normalisation and majority votes (quorum), local
// scoring by a rubric or JSON schema (best_of_n with a check), reading a judge's score, and merging
// answers as a list or as one JSON object. No I/O; the kind modules decide when to call them.
import { Validator } from "@cfworker/json-schema";
import { z } from "zod";
import type { RubricCheck } from "@llm-edge/shared/jobs";

/** Lower-cases, trims, collapses white space and drops trailing punctuation, so equal answers compare equal. */
export function normaliseAnswer(text: string): string {
  return text.toLowerCase().replace(/\s+/g, " ").trim().replace(/[.!?;:,\s]+$/u, "");
}

export interface Vote {
  answer: string;
  votes: number;
  /** Tasks that gave this answer, in the order given. */
  tasks: string[];
}

/** Counts votes per normalised answer; the most voted first (ties: the answer given first). */
export function tallyVotes(answers: Array<{ task: string; text: string }>): Vote[] {
  const byAnswer = new Map<string, Vote>();
  for (const { task, text } of answers) {
    const key = normaliseAnswer(text);
    const vote = byAnswer.get(key) ?? { answer: key, votes: 0, tasks: [] };
    vote.votes += 1;
    vote.tasks.push(task);
    byAnswer.set(key, vote);
  }
  return [...byAnswer.values()].sort((a, b) => b.votes - a.votes);
}

/** Votes a quorum needs by default: a strict majority of all branches. */
export function majorityOf(branches: number): number {
  return Math.floor(branches / 2) + 1;
}

/** Parses an answer as JSON, also when wrapped in a ``` code fence; undefined when it is not JSON. */
export function parseJsonAnswer(text: string): unknown {
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/u.exec(text.trim());
  try {
    return JSON.parse(fenced ? fenced[1]! : text);
  } catch {
    return undefined;
  }
}

/**
 * Scores an answer by a local check: with a JSON schema, 0 when it does not parse or conform, else
 * one point; plus one point per `mustInclude` phrase present and minus one per `mustNotInclude`
 * phrase present (case-insensitive).
 */
export function rubricScore(text: string, check: RubricCheck): number {
  let score = 0;
  if (check.jsonSchema) {
    const value = parseJsonAnswer(text);
    if (value === undefined || !new Validator(check.jsonSchema as ConstructorParameters<typeof Validator>[0]).validate(value).valid) return 0;
    score += 1;
  }
  const lower = text.toLowerCase();
  for (const phrase of check.mustInclude ?? []) if (lower.includes(phrase.toLowerCase())) score += 1;
  for (const phrase of check.mustNotInclude ?? []) if (lower.includes(phrase.toLowerCase())) score -= 1;
  return score;
}

/** The structured answer a judge is asked for. */
export const JudgeVerdictSchema = z.object({ score: z.number().min(0).max(10), reason: z.string().optional() });

/** The JSON schema of the judge's answer (sent as response_format). */
export const JUDGE_JSON_SCHEMA = {
  type: "object",
  properties: { score: { type: "number", minimum: 0, maximum: 10 }, reason: { type: "string" } },
  required: ["score", "reason"],
  additionalProperties: false,
} as const;

/** Reads a judge's score (0-10); undefined when the answer is not a valid verdict. */
export function judgeScore(text: string): number | undefined {
  const verdict = JudgeVerdictSchema.safeParse(parseJsonAnswer(text));
  return verdict.success ? verdict.data.score : undefined;
}

/** The best scored entry; ties go to the earliest. Undefined for no entries. */
export function bestScored<T extends { score: number }>(entries: T[]): T | undefined {
  return entries.reduce<T | undefined>((best, entry) => (best === undefined || entry.score > best.score ? entry : best), undefined);
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep-merges JSON objects, later answers winning on conflicting scalars; arrays are concatenated. */
export function mergeJson(values: JsonObject[]): JsonObject {
  const merge = (into: JsonObject, from: JsonObject): JsonObject => {
    const out: JsonObject = { ...into };
    for (const [key, value] of Object.entries(from)) {
      const current = out[key];
      if (isObject(current) && isObject(value)) out[key] = merge(current, value);
      else if (Array.isArray(current) && Array.isArray(value)) out[key] = [...current, ...value];
      else out[key] = value;
    }
    return out;
  };
  return values.reduce<JsonObject>((acc, value) => merge(acc, value), {});
}

/** Merges answers that must each be a JSON object; names the first that is not. */
export function mergeJsonAnswers(answers: Array<{ task: string; text: string }>): { ok: true; value: JsonObject } | { ok: false; task: string } {
  const values: JsonObject[] = [];
  for (const answer of answers) {
    const value = parseJsonAnswer(answer.text);
    if (!isObject(value)) return { ok: false, task: answer.task };
    values.push(value);
  }
  return { ok: true, value: mergeJson(values) };
}
