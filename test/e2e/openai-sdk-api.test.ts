// The official openai SDK against the running stack, beyond chat: embeddings, the models list, the
// SDK's typed errors for a bad key and an unknown model, and a stream cut mid-way by the provider.
import OpenAI, { APIError, AuthenticationError } from "openai";
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { fault, resetSim, stack } from "../integration/support";

const client = new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0, timeout: 20_000 });
const runId = randomUUID().slice(0, 8);

beforeEach(resetSim);

/** The error a promise rejects with (fails the test if it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

describe("openai SDK: embeddings and models through the edge", () => {
  it("returns one 512-dimension embedding per input, in order", async () => {
    const inputs = [`A cat sat on the mat (run ${runId})`, `Quarterly revenue grew by ten percent (run ${runId})`];
    const response = await client.embeddings.create({ model: "sim-embed", input: inputs });
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    for (const item of response.data) {
      expect(item.embedding).toHaveLength(512);
      expect(item.embedding.every(Number.isFinite)).toBe(true);
      expect(item.embedding.some((value) => value !== 0)).toBe(true);
    }
    expect(response.data[0]?.embedding).not.toEqual(response.data[1]?.embedding);
    expect(response.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("lists the model aliases, including default", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("default");
  });
});

describe("openai SDK: errors through the edge", () => {
  it("raises AuthenticationError (401) for a wrong key", async () => {
    const badClient = new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: "sk-not-a-real-key", maxRetries: 0 });
    const error = await rejectionOf(badClient.chat.completions.create({ model: "default", messages: [{ role: "user", content: "hi" }] }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).status).toBe(401);
    expect((error as APIError).message).not.toContain("sk-not-a-real-key");
  });

  it("raises an API error with code model_not_found (404, or 400) for an unknown model", async () => {
    const error = await rejectionOf(client.chat.completions.create({ model: `no-such-model-${runId}`, messages: [{ role: "user", content: "hi" }] }));
    expect(error).toBeInstanceOf(APIError);
    expect([400, 404]).toContain((error as APIError).status);
    expect((error as APIError).code).toBe("model_not_found");
  });

  it("makes stream iteration throw (never end cleanly) when the provider cuts the stream mid-way", async () => {
    await fault({ model: "sim-primary", cutAfterChunks: 2 });
    await fault({ model: "sim-secondary", cutAfterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: `Tell me a long story (run ${runId})` }],
      stream: true,
    });
    let finishReason: string | null = null;
    const error = await rejectionOf(
      (async () => {
        for await (const chunk of stream) finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
      })(),
    );
    // An explicit SSE error event surfaces as an APIError; a bare cut would be a network error instead.
    expect(error).toBeInstanceOf(APIError);
    expect(finishReason).toBeNull();
  });
});
