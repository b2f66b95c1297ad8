// Tokens and cost of a finished answer, for limits and observability (one read per request,
// `answerFiguresOf`): a JSON answer's from its x-gateway-cost-usd header and usage object; a stream's
// from the gateway, which knows them when the stream ends (its usage chunk or an estimate, priced),
// also when the client left first — so streams pass to the client untouched by the edge.
import type { Context } from "hono";
import type { StreamFigures } from "@llm-edge/shared";
import type { EdgeEnv } from "./types";

export type AnswerFigures = StreamFigures;

function lastNumber(text: string, pattern: RegExp): number | undefined {
  let found: string | undefined;
  for (const match of text.matchAll(pattern)) found = match[1];
  return found === undefined ? undefined : Number(found);
}

/** The figures of a JSON answer body with the response's headers. */
export function answerFigures(headers: Headers, text: string): AnswerFigures {
  const header = headers.get("x-gateway-cost-usd");
  const costUsd = header !== null ? Number(header) : undefined;
  const prompt = lastNumber(text, /"prompt_tokens"\s*:\s*(\d+)/g);
  const completion = lastNumber(text, /"completion_tokens"\s*:\s*(\d+)/g) ?? 0;
  const total = lastNumber(text, /"total_tokens"\s*:\s*(\d+)/g);
  return {
    ...(prompt !== undefined ? { usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total ?? prompt + completion } } : {}),
    ...(costUsd !== undefined && Number.isFinite(costUsd) ? { costUsd } : {}),
  };
}

/** The chat route's stream: its figures come from `figures` (the pipeline's, once the stream ended). */
export function setStreamFigures(c: Context<EdgeEnv>, figures: (() => Promise<StreamFigures>) | undefined): void {
  c.set("answerFigures", figures ? figures().catch(() => undefined) : Promise.resolve(undefined));
}

/**
 * The figures of the context's answer, read once per request however many callers ask: a stream's
 * as the route set them (`setStreamFigures`), a JSON answer's from a copy of its body.
 */
export function answerFiguresOf(c: Context<EdgeEnv>): Promise<AnswerFigures | undefined> {
  const known = c.get("answerFigures");
  if (known) return known;
  const response = c.res;
  const figures = response
    .clone()
    .text()
    .then((text) => answerFigures(response.headers, text))
    .catch(() => undefined);
  c.set("answerFigures", figures);
  return figures;
}
