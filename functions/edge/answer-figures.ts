// Tokens and cost of a finished answer, read from what the client received: the x-gateway-cost-usd
// header (JSON answers) or the stream's closing `: x-gateway-cost-usd=…` comment, and the last usage
// object (a JSON answer's, or a stream's usage chunk with stream_options.include_usage). Limits and
// observability both count streamed answers this way, from one copy per request (`answerFiguresOf`).
// A client that leaves mid-stream stops the upstream call before the usage chunk and the cost comment
// arrive; that answer's figures are estimated from the request and the text the client received.
import type { Context } from "hono";
import { costUsd, estimateUsage, readSseEvents, tapText, type ChatCompletionRequest, type Price, type StreamCopy } from "@llm-edge/shared";
import type { EdgeEnv } from "./types";

export interface AnswerFigures {
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  costUsd?: number;
  /** Set when the client left mid-stream and the figures were estimated. */
  estimated?: true;
}

/** What a cut-short stream's figures are estimated from: the request and the route's prices. */
export interface StreamEstimate {
  request: ChatCompletionRequest;
  prices: Record<string, Price>;
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

/** The text of a stream's content and tool-call deltas, as far as it goes (a cut event is not counted). */
async function deltaText(sse: string): Promise<string> {
  let text = "";
  for await (const event of readSseEvents(new Response(sse).body!)) {
    if (!event.data.startsWith("{")) continue;
    try {
      const chunk = JSON.parse(event.data) as { choices?: Array<{ delta?: { content?: string | null; tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }> };
      for (const choice of chunk.choices ?? []) {
        text += choice.delta?.content ?? "";
        for (const call of choice.delta?.tool_calls ?? []) text += (call.function?.name ?? "") + (call.function?.arguments ?? "");
      }
    } catch {
      // Not a chunk (an error event's text that is not JSON): nothing to count.
    }
  }
  return text;
}

/**
 * The figures of a stream the client read `copy` of. When it left before the usage chunk and cost
 * comment of an answer a provider generated (not a cache hit), they are estimated: the prompt from
 * the request, the completion from the text the client received (a lower bound: the provider may
 * have generated a little more before the call was stopped), priced by the served model.
 */
export async function streamFigures(headers: Headers, copy: StreamCopy, estimate?: StreamEstimate): Promise<AnswerFigures> {
  const figures = answerFigures(headers, copy.text);
  const fromProvider = headers.get("x-gateway-attempts") !== "0";
  if (copy.complete || !estimate || !fromProvider || (figures.usage && figures.costUsd !== undefined)) return figures;
  const usage = figures.usage ?? estimateUsage(estimate.request, await deltaText(copy.text));
  const model = headers.get("x-gateway-model");
  const cost = figures.costUsd ?? (model ? costUsd(estimate.prices, model, usage) : undefined);
  return { usage, ...(cost !== undefined ? { costUsd: cost } : {}), estimated: true };
}

/**
 * The chat route's stream: read through a tap as it reaches the client, not a tee (the client gets
 * each event at once, and a client that goes away cancels the upstream call), or through the copy the
 * pipeline's cache step already reads, so a stream is tapped once. Returns the stream to send.
 */
export function withStreamFigures(
  c: Context<EdgeEnv>,
  headers: Headers,
  stream: ReadableStream<Uint8Array>,
  copy: Promise<StreamCopy> | undefined,
  estimate: StreamEstimate,
): ReadableStream<Uint8Array> {
  const tapped = copy ? { stream, copy } : tapText(stream);
  c.set("answerFigures", tapped.copy.then((read) => streamFigures(headers, read, estimate)));
  return tapped.stream;
}

/**
 * The figures of the context's answer, read once per request however many callers ask: a chat
 * stream's as the route set them (`withStreamFigures`), a JSON answer's from a copy of its body.
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
