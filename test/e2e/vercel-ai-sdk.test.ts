// The Vercel AI SDK (ai + @ai-sdk/openai, chat completions API) against the running stack, changing
// only baseURL and apiKey: generateText and streamText give the same text, finish reason and usage.
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, streamText } from "ai";
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { resetSim, stack } from "../integration/support";

const provider = createOpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: stack.apiKey });
// `.chat()`: the chat completions API (the provider's default model function uses the Responses API).
const model = provider.chat("default");
const runId = randomUUID().slice(0, 8);

beforeEach(resetSim);

describe("Vercel AI SDK through the edge", () => {
  it("generateText returns the simulator's text, finish reason stop and token usage", async () => {
    const result = await generateText({ model, prompt: `Say something about gateways (run ${runId})`, maxRetries: 0 });
    expect(result.text.startsWith("[simulated")).toBe(true);
    expect(result.finishReason).toBe("stop");
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe((result.usage.inputTokens ?? 0) + (result.usage.outputTokens ?? 0));
  });

  it("streamText streams the same text as generateText, with finish reason stop and the same usage", async () => {
    const prompt = `Describe a circuit breaker (run ${runId})`;
    const whole = await generateText({ model, prompt, maxRetries: 0 });
    const errors: unknown[] = [];
    const result = streamText({ model, prompt, maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    const parts: string[] = [];
    for await (const text of result.textStream) parts.push(text);
    expect(errors).toEqual([]);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join("")).toBe(whole.text);
    expect(await result.finishReason).toBe("stop");
    const usage = await result.usage;
    expect(usage.outputTokens).toBe(whole.usage.outputTokens);
    expect(usage.inputTokens).toBe(whole.usage.inputTokens);
  });
});
