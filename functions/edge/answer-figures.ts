// Tokens and cost of a finished answer, read from what the client received: the x-gateway-cost-usd
// header (JSON answers) or the stream's closing `: x-gateway-cost-usd=…` comment, and the last usage
// object (a JSON answer's, or a stream's usage chunk with stream_options.include_usage). Limits and
// observability both count streamed answers this way, from one copy per request (`answerFiguresOf`).
import type { Context } from "hono";
import { tapText } from "@llm-edge/shared";
import type { EdgeEnv } from "./types";

export interface AnswerFigures {
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  costUsd?: number;
}

function lastNumber(text: string, pattern: RegExp): number | undefined {
  let found: string | undefined;
  for (const match of text.matchAll(pattern)) found = match[1];
  return found === undefined ? undefined : Number(found);
}

/** The figures of an answer body (JSON or SSE text) with the response's headers. */
export function answerFigures(headers: Headers, text: string): AnswerFigures {
  const header = headers.get("x-gateway-cost-usd");
  const costUsd = header !== null ? Number(header) : lastNumber(text, /x-gateway-cost-usd=([0-9.]+)/g);
  const prompt = lastNumber(text, /"prompt_tokens"\s*:\s*(\d+)/g);
  const completion = lastNumber(text, /"completion_tokens"\s*:\s*(\d+)/g) ?? 0;
  const total = lastNumber(text, /"total_tokens"\s*:\s*(\d+)/g);
  return {
    ...(prompt !== undefined ? { usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total ?? prompt + completion } } : {}),
    ...(costUsd !== undefined && Number.isFinite(costUsd) ? { costUsd } : {}),
  };
}

/**
 * The figures of the context's answer, read once per request however many callers ask. A stream is
 * read through a tap as it reaches the client (`c.res` is replaced by the tapped copy), not a tee:
 * the client gets each event at once, and a client that goes away cancels the upstream call (its
 * answer then ends before the usage chunk and cost comment: no figures). A JSON answer is read from
 * a copy of its body.
 */
export function answerFiguresOf(c: Context<EdgeEnv>): Promise<AnswerFigures | undefined> {
  const known = c.get("answerFigures");
  if (known) return known;
  const response = c.res;
  let figures: Promise<AnswerFigures | undefined>;
  if (response.body && (response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    const tapped = tapText(response.body);
    c.res = new Response(tapped.stream, response);
    figures = tapped.copy.then((copy) => answerFigures(response.headers, copy.text));
  } else {
    figures = response
      .clone()
      .text()
      .then((text) => answerFigures(response.headers, text))
      .catch(() => undefined);
  }
  c.set("answerFigures", figures);
  return figures;
}
