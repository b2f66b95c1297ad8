// The simulated provider on the OpenAI wire: deterministic chat completions (plain, streamed, tools,
// structured outputs, limits), models list and OpenAI-shaped errors, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { readSse } from "../../support/sse";
import { postJson, schemaProblems, uniqueModel } from "./helpers";

interface ChatCompletion {
  id: string;
  object: string;
  model: string;
  choices: {
    index: number;
    message: { role: string; content: string | null; tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[] };
    finish_reason: string;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

interface ChatChunk {
  object: string;
  choices: { index: number; delta: { role?: string; content?: string | null; tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] }; finish_reason: string | null }[];
  usage?: ChatCompletion["usage"] | null;
}

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        days: { type: "integer", minimum: 1, maximum: 7 },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["city", "days", "unit"],
      additionalProperties: false,
    },
  },
};

const reportSchema = {
  type: "object",
  properties: {
    title: { type: "string" },
    score: { type: "number" },
    rank: { type: "integer" },
    published: { type: "boolean" },
    kind: { const: "report" },
    status: { type: "string", enum: ["draft", "final"] },
    tags: { type: "array", items: { type: "string" }, minItems: 3 },
    author: { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"] },
  },
  required: ["title", "score", "rank", "published", "kind", "status", "tags", "author"],
  additionalProperties: false,
};

let sim: SimProvider;
let chatUrl: string;

const ask = (content: string, extra: Record<string, unknown> = {}) =>
  postJson(chatUrl, { model: "sim-primary", messages: [{ role: "user", content }], ...extra });

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
  chatUrl = `${sim.url}/v1/chat/completions`;
});

afterAll(async () => {
  await sim.close();
});

describe("chat completions (non-stream)", () => {
  it("answers deterministically, marked as a simulation, with usage and x-request-id", async () => {
    const first = await ask("What is the capital of France?");
    const second = await ask("What is the capital of France?");
    const other = await ask("Tell me about volcanoes");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-request-id")).toBeTruthy();
    const a = (await first.json()) as ChatCompletion;
    const b = (await second.json()) as ChatCompletion;
    const c = (await other.json()) as ChatCompletion;
    expect(a.object).toBe("chat.completion");
    expect(a.model).toBe("sim-primary");
    expect(a.choices[0]?.message.role).toBe("assistant");
    expect(a.choices[0]?.message.content).toMatch(/^\[simulated sim-primary\]/);
    expect(a.choices[0]?.finish_reason).toBe("stop");
    expect(b.choices[0]?.message.content).toBe(a.choices[0]?.message.content);
    expect(c.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content);
    expect(a.usage.prompt_tokens).toBeGreaterThan(0);
    expect(a.usage.completion_tokens).toBeGreaterThan(0);
    expect(a.usage.total_tokens).toBe(a.usage.prompt_tokens + a.usage.completion_tokens);
  });

  it("accepts array-of-parts content and any model name", async () => {
    const model = uniqueModel("custom-model");
    const response = await postJson(chatUrl, {
      model,
      messages: [{ role: "user", content: [{ type: "text", text: "Parts " }, { type: "text", text: "work" }] }],
    });
    const body = (await response.json()) as ChatCompletion;
    expect(body.model).toBe(model);
    expect(body.choices[0]?.message.content).toContain(`[simulated ${model}]`);
    expect(body.choices[0]?.message.content).toContain("Parts work");
  });

  it("truncates to max_tokens / max_completion_tokens with finish_reason length", async () => {
    for (const limit of [{ max_tokens: 5 }, { max_completion_tokens: 5 }]) {
      const body = (await (await ask("A long answer please", limit)).json()) as ChatCompletion;
      expect(body.choices[0]?.finish_reason).toBe("length");
      expect(body.usage.completion_tokens).toBe(5);
      expect(body.choices[0]?.message.content?.length).toBeLessThanOrEqual(20);
    }
  });

  it("stops before a stop sequence with finish_reason stop", async () => {
    const full = ((await (await ask("Stop test")).json()) as ChatCompletion).choices[0]?.message.content ?? "";
    const stopWord = full.split(" ").slice(-5)[0] ?? "";
    const body = (await (await ask("Stop test", { stop: [stopWord] })).json()) as ChatCompletion;
    const content = body.choices[0]?.message.content ?? "";
    expect(content).toBe(full.slice(0, full.indexOf(stopWord)));
    expect(body.choices[0]?.finish_reason).toBe("stop");
  });

  it("returns n choices", async () => {
    const body = (await (await ask("Give me options", { n: 3 })).json()) as ChatCompletion;
    expect(body.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(new Set(body.choices.map((choice) => choice.message.content)).size).toBe(3);
  });

  it("calls the first tool with arguments that conform to its parameters", async () => {
    const body = (await (await ask("Weather in Paris?", { tools: [weatherTool] })).json()) as ChatCompletion;
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    expect(call?.id).toMatch(/^call_/);
    expect(call?.function.name).toBe("get_weather");
    const args = JSON.parse(call?.function.arguments ?? "null") as { days: number };
    expect(schemaProblems(weatherTool.function.parameters, args)).toEqual([]);
    expect(args.days).toBeGreaterThanOrEqual(1);
    expect(args.days).toBeLessThanOrEqual(7);
  });

  it("honours tool_choice: a forced tool is called, none answers in text", async () => {
    const other = { type: "function", function: { name: "lookup", parameters: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] } } };
    const forced = (await (await ask("Look it up", { tools: [weatherTool, other], tool_choice: { type: "function", function: { name: "lookup" } } })).json()) as ChatCompletion;
    expect(forced.choices[0]?.message.tool_calls?.[0]?.function.name).toBe("lookup");
    expect(Number.isInteger((JSON.parse(forced.choices[0]?.message.tool_calls?.[0]?.function.arguments ?? "{}") as { id: unknown }).id)).toBe(true);
    const none = (await (await ask("Just talk", { tools: [weatherTool], tool_choice: "none" })).json()) as ChatCompletion;
    expect(none.choices[0]?.finish_reason).toBe("stop");
    expect(none.choices[0]?.message.content).toMatch(/^\[simulated/);
  });

  it("answers in text after a tool result when tool_choice is auto", async () => {
    const response = await postJson(chatUrl, {
      model: "sim-primary",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: "Sunny, 21C" },
      ],
    });
    const body = (await response.json()) as ChatCompletion;
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.choices[0]?.message.content).toMatch(/^\[simulated sim-primary\]/);
  });

  it("answers JSON conforming to a json_schema response_format", async () => {
    const format = { type: "json_schema", json_schema: { name: "report", strict: true, schema: reportSchema } };
    const body = (await (await ask("Write a report", { response_format: format })).json()) as ChatCompletion;
    const value = JSON.parse(body.choices[0]?.message.content ?? "null") as { kind: string; tags: string[] };
    expect(schemaProblems(reportSchema, value)).toEqual([]);
    expect(Object.keys(value).sort()).toEqual(Object.keys(reportSchema.properties).sort());
    expect(value.kind).toBe("report");
    expect(value.tags.length).toBeGreaterThanOrEqual(3);
  });

  it("answers a JSON object for json_object response_format", async () => {
    const body = (await (await ask("JSON please", { response_format: { type: "json_object" } })).json()) as ChatCompletion;
    const value = JSON.parse(body.choices[0]?.message.content ?? "null") as unknown;
    expect(typeof value).toBe("object");
    expect(Array.isArray(value)).toBe(false);
  });
});

describe("chat completions (stream)", () => {
  it("streams a role delta, content deltas, a finish chunk, a usage chunk and [DONE]", async () => {
    const plain = (await (await ask("Stream me a story")).json()) as ChatCompletion;
    const response = await ask("Stream me a story", { stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const { events, ended } = await readSse(response);
    expect(ended).toBe("clean");
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as ChatChunk);
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const contentChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(3);
    const text = contentChunks.map((chunk) => chunk.choices[0]?.delta.content).join("");
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toEqual(plain.usage);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it("has no usage chunk without include_usage and ends with finish_reason length under max_tokens", async () => {
    const { events } = await readSse(await ask("Short stream", { stream: true, max_tokens: 4 }));
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as ChatChunk);
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("length");
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text.length).toBeLessThanOrEqual(16);
  });

  it("streams tool call deltas whose joined arguments conform to the schema", async () => {
    const { events } = await readSse(await ask("Weather in Oslo?", { stream: true, tools: [weatherTool] }));
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as ChatChunk);
    const toolDeltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(toolDeltas[0]?.id).toMatch(/^call_/);
    expect(toolDeltas[0]?.function.name).toBe("get_weather");
    const args = JSON.parse(toolDeltas.map((delta) => delta.function.arguments).join("")) as unknown;
    expect(schemaProblems(weatherTool.function.parameters, args)).toEqual([]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});

describe("models and errors", () => {
  it("lists the simulated models in OpenAI's list shape", async () => {
    const body = (await (await fetch(`${sim.url}/v1/models`)).json()) as { object: string; data: { id: string; object: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((model) => model.id)).toEqual(expect.arrayContaining(["sim-primary", "sim-secondary", "sim-tertiary", "sim-embed"]));
    expect(body.data.every((model) => model.object === "model")).toBe(true);
  });

  it("rejects bad input with a 400 in OpenAI's error shape", async () => {
    const response = await postJson(chatUrl, { model: "sim-primary", messages: "not an array" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.param).toBe("messages");
    expect(body.error.message).toContain("messages");
    const broken = await fetch(chatUrl, { method: "POST", body: "{not json" });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  });

  it("answers unknown routes with a 404 in OpenAI's error shape", async () => {
    const response = await fetch(`${sim.url}/v1/unknown`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; type: string; param: null; code: null } };
    expect(body.error).toEqual({ message: "Invalid URL (GET /v1/unknown)", type: "invalid_request_error", param: null, code: null });
  });
});
