// The figures the edge counts for a streamed answer (limits and metrics): read from the stream when it
// ended, estimated when the client left before the usage chunk and cost comment arrived.
import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "@llm-edge/shared";
import { streamFigures } from "../../../functions/edge/answer-figures";

const request: ChatCompletionRequest = { model: "default", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "x".repeat(391) }] };
const prices = { "sim-primary": { input: 2, output: 10 } };
const headers = (extra: Record<string, string> = {}) => new Headers({ "x-gateway-model": "sim-primary", "x-gateway-attempts": "1", ...extra });
const chunk = (delta: object) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "sim-primary", choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;

describe("streamFigures", () => {
  it("reads a finished stream's usage chunk and cost comment as they are", async () => {
    const text = `${chunk({ content: "Hi" })}data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}\n\n: x-gateway-cost-usd=0.00004400\n\ndata: [DONE]\n\n`;
    expect(await streamFigures(headers(), { text, complete: true }, { request, prices })).toEqual({ usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 }, costUsd: 0.000044 });
  });

  it("estimates a cut-short stream from the request and the content and tool-call text the client received", async () => {
    // Prompt: "Be brief." + "\n" + 391 characters = 401 → 101 tokens; answer: 20 characters of content, 14 of a tool call → 9 tokens.
    const text = chunk({ role: "assistant", content: "" }) + chunk({ content: "0123456789" }) + chunk({ content: "abcdefghij" }) + chunk({ tool_calls: [{ index: 0, function: { name: "get", arguments: '{"a":12345}' } }] }) + "data: {\"choi";
    const figures = await streamFigures(headers(), { text, complete: false }, { request, prices });
    expect(figures).toEqual({ usage: { prompt_tokens: 101, completion_tokens: 9, total_tokens: 110 }, costUsd: (101 * 2 + 9 * 10) / 1_000_000, estimated: true });
  });

  it("prices an estimate only for a model with a price, and estimates nothing for a cache hit or without the request", async () => {
    const text = chunk({ content: "0123456789" });
    expect(await streamFigures(headers({ "x-gateway-model": "unpriced" }), { text, complete: false }, { request, prices })).toEqual({
      usage: { prompt_tokens: 101, completion_tokens: 3, total_tokens: 104 },
      estimated: true,
    });
    expect(await streamFigures(headers({ "x-gateway-attempts": "0" }), { text, complete: false }, { request, prices })).toEqual({});
    expect(await streamFigures(headers(), { text, complete: false })).toEqual({});
  });
});
