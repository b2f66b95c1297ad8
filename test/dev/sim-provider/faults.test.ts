// The fault contract of the simulated provider, fault by fault, on both wires and embeddings:
// status + Retry-After, times, latencyMs, hang, firstTokenDelayMs, cutAfterChunks, malformed, invalidOutput.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { readSse } from "../../support/sse";
import { callCounts, pollUntil, postJson, schemaProblems, setFault, uniqueModel } from "./helpers";

let sim: SimProvider;

const chat = (model: string, extra: Record<string, unknown> = {}, init: RequestInit = {}) =>
  postJson(`${sim.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "Tell me something" }], ...extra }, init);

const messages = (model: string, extra: Record<string, unknown> = {}, init: RequestInit = {}) =>
  postJson(`${sim.url}/v1/messages`, { model, max_tokens: 256, messages: [{ role: "user", content: "Tell me something" }], ...extra }, init);

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

describe("status + retryAfter", () => {
  it("answers the status with a provider-style body and Retry-After on both wires and embeddings", async () => {
    const model = uniqueModel("sim-primary");
    const stored = await (await setFault(sim.url, { model, status: 503, retryAfter: 2 })).json();
    expect(stored).toEqual({ model, status: 503, retryAfter: 2 });

    const openai = await chat(model);
    expect(openai.status).toBe(503);
    expect(openai.headers.get("retry-after")).toBe("2");
    expect(((await openai.json()) as { error: { type: string; message: string } }).error.type).toBe("server_error");

    const anthropic = await messages(model);
    expect(anthropic.status).toBe(503);
    expect(anthropic.headers.get("retry-after")).toBe("2");
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "api_error" } });

    const embeddings = await postJson(`${sim.url}/v1/embeddings`, { model, input: "hello" });
    expect(embeddings.status).toBe(503);
    expect((await callCounts(sim.url))[model]).toBe(3);
  });

  it("uses rate-limit types for 429 and overloaded_error for 529", async () => {
    const model = uniqueModel("sim-secondary");
    await setFault(sim.url, { model, status: 429 });
    const openai = await chat(model);
    expect(openai.status).toBe(429);
    expect(openai.headers.get("retry-after")).toBeNull();
    expect(((await openai.json()) as { error: { type: string; code: string } }).error).toMatchObject({ type: "rate_limit_exceeded", code: "rate_limit_exceeded" });
    expect(await (await messages(model)).json()).toMatchObject({ error: { type: "rate_limit_error" } });
    await setFault(sim.url, { model, status: 529 });
    const overloaded = await messages(model);
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({ error: { type: "overloaded_error" } });
  });
});

describe("times", () => {
  it("fails exactly N calls then succeeds, counting every call", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, status: 500, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await chat(model)).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect((await callCounts(sim.url))[model]).toBe(4);
    const faults = (await (await fetch(`${sim.url}/__sim/faults`)).json()) as Record<string, unknown>;
    expect(faults[model]).toBeUndefined();
  });

  it("holds a fault without times until reset (hard down), and a new post replaces it", async () => {
    const model = uniqueModel("sim-tertiary");
    await setFault(sim.url, { model, status: 502 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await chat(model)).status);
    expect(statuses).toEqual([502, 502, 502]);
    await setFault(sim.url, { model, latencyMs: 1 });
    expect((await chat(model)).status).toBe(200);
  });
});

describe("latencyMs", () => {
  it("delays the whole response, headers included", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, latencyMs: 300 });
    const started = performance.now();
    const response = await chat(model);
    const headersAt = performance.now() - started;
    expect(response.status).toBe(200);
    expect(headersAt).toBeGreaterThanOrEqual(295);
  });

  it("combines with status: the error comes after the delay", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, latencyMs: 200, status: 503, times: 1 });
    const started = performance.now();
    expect((await chat(model)).status).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect((await chat(model)).status).toBe(200);
  });
});

describe("hang", () => {
  it("never answers until the client aborts, and the call is counted", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, hang: true });
    const started = performance.now();
    const outcome = await chat(model, {}, { signal: AbortSignal.timeout(300) }).then(
      () => "answered",
      (error: unknown) => (error instanceof Error ? error.name : "unknown"),
    );
    expect(outcome).toBe("TimeoutError");
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect((await callCounts(sim.url))[model]).toBe(1);
    const hungStream = await messages(model, { stream: true }, { signal: AbortSignal.timeout(100) }).then(
      () => "answered",
      (error: unknown) => (error instanceof Error ? error.name : "unknown"),
    );
    expect(hungStream).toBe("TimeoutError");
    expect((await callCounts(sim.url))[model]).toBe(2);
    expect((await chat(uniqueModel("sim-primary"))).status).toBe(200);
  }, 10_000);
});

describe("firstTokenDelayMs", () => {
  it("sends stream headers at once and the first chunk after the delay", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, firstTokenDelayMs: 400 });
    const started = performance.now();
    const response = await chat(model, { stream: true });
    const headersAt = performance.now() - started;
    expect(response.status).toBe(200);
    expect(headersAt).toBeLessThan(400);
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstChunkAt = performance.now() - started;
    expect(first.done).toBe(false);
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: /);
    expect(firstChunkAt).toBeGreaterThanOrEqual(395);
    await reader.cancel();
  });

  it("delays a non-stream response as a whole", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, firstTokenDelayMs: 250 });
    const started = performance.now();
    const response = await messages(model);
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    expect(response.status).toBe(200);
  });
});

describe("cutAfterChunks", () => {
  it("sends exactly N OpenAI chunks then breaks the connection (no [DONE])", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, cutAfterChunks: 3 });
    const response = await chat(model, { stream: true });
    expect(response.status).toBe(200);
    const { events, ended } = await readSse(response);
    expect(ended).toBe("error");
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.data !== "[DONE]" && isJson(event.data))).toBe(true);
  });

  it("sends exactly N Anthropic events then breaks the connection (no message_stop)", async () => {
    const model = uniqueModel("sim-secondary");
    await setFault(sim.url, { model, cutAfterChunks: 4 });
    const { events, ended } = await readSse(await messages(model, { stream: true }));
    expect(ended).toBe("error");
    expect(events.map((event) => event.event)).toEqual(["message_start", "content_block_start", "ping", "content_block_delta"]);
  });

  it("sends headers and half a body for non-stream calls, then breaks the connection", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, cutAfterChunks: 1 });
    const response = await chat(model);
    expect(response.status).toBe(200);
    const outcome = await response.text().then(
      () => "complete",
      () => "broken",
    );
    expect(outcome).toBe("broken");
  });
});

describe("malformed", () => {
  it("answers 200 with a body that is not valid JSON", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, malformed: true });
    for (const response of [await chat(model), await messages(model), await postJson(`${sim.url}/v1/embeddings`, { model, input: "hi" })]) {
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text.length).toBeGreaterThan(0);
      expect(isJson(text)).toBe(false);
    }
  });

  it("puts a data line with broken JSON into a stream", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, malformed: true });
    const openai = await readSse(await chat(model, { stream: true }));
    expect(openai.events.filter((event) => event.data !== "[DONE]" && !isJson(event.data))).toHaveLength(1);
    const anthropic = await readSse(await messages(model, { stream: true }));
    expect(anthropic.events.filter((event) => !isJson(event.data))).toHaveLength(1);
  });
});

describe("invalidOutput", () => {
  const schema = {
    type: "object",
    properties: { answer: { type: "string" }, confidence: { type: "number" } },
    required: ["answer", "confidence"],
  };

  it("answers well-formed wire JSON with empty content", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, invalidOutput: true });
    const openai = (await (await chat(model)).json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    expect(openai.choices[0]?.message.content).toBe("");
    const anthropic = (await (await messages(model)).json()) as { type: string; content: { type: string; text: string }[] };
    expect(anthropic.type).toBe("message");
    expect(anthropic.content).toEqual([{ type: "text", text: "" }]);
    const stream = await readSse(await chat(model, { stream: true }));
    expect(stream.ended).toBe("clean");
    const text = stream.events
      .filter((event) => event.data !== "[DONE]")
      .map((event) => (JSON.parse(event.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe("");
  });

  it("answers JSON that violates the requested json_schema", async () => {
    const model = uniqueModel("sim-primary");
    const responseFormat = { type: "json_schema", json_schema: { name: "answer", schema } };
    const valid = (await (await chat(model, { response_format: responseFormat })).json()) as { choices: { message: { content: string } }[] };
    expect(schemaProblems(schema, JSON.parse(valid.choices[0]?.message.content ?? "null"))).toEqual([]);
    await setFault(sim.url, { model, invalidOutput: true, times: 1 });
    const invalid = (await (await chat(model, { response_format: responseFormat })).json()) as { choices: { message: { content: string } }[] };
    const content = invalid.choices[0]?.message.content ?? "";
    expect(isJson(content)).toBe(true);
    expect(schemaProblems(schema, JSON.parse(content)).length).toBeGreaterThan(0);
  });
});
