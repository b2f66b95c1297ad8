// Tokens and cost of a finished answer, read from what the client received: the x-gateway-cost-usd
// header (JSON answers) or the stream's closing `: x-gateway-cost-usd=…` comment, and the last usage
// object (a JSON answer's, or a stream's usage chunk with stream_options.include_usage). Limits and
// observability both count streamed answers this way.

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
