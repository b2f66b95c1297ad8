// The official openai SDK against the running stack, changing only baseURL and apiKey: chat
// completions plain and streamed, tools, structured output (json_schema), and the x-gateway-* headers.
import OpenAI from "openai";
import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { schemaProblems } from "../dev/sim-provider/helpers";
import { resetSim, stack } from "../integration/support";

// maxRetries 0: a gateway error must show up here, not be papered over by the SDK's own retries.
const client = new OpenAI({ baseURL: `${stack.edgeUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0, timeout: 20_000 });
const runId = randomUUID().slice(0, 8);

beforeEach(resetSim);

function userMessage(text: string): OpenAI.ChatCompletionMessageParam[] {
  return [{ role: "user", content: `${text} (run ${runId})` }];
}

const weatherParameters = {
  type: "object",
  properties: {
    city: { type: "string" },
    days: { type: "integer", minimum: 1, maximum: 7 },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["city", "days", "unit"],
  additionalProperties: false,
};

describe("openai SDK: chat completions through the edge", () => {
  it("answers a plain chat completion with the simulator's text", async () => {
    const completion = await client.chat.completions.create({ model: "default", messages: userMessage("Say hello") });
    expect(completion.object).toBe("chat.completion");
    const choice = completion.choices[0];
    expect(choice?.message.role).toBe("assistant");
    expect(choice?.message.content?.startsWith("[simulated")).toBe(true);
    expect(choice?.finish_reason).toBe("stop");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams deltas that join to exactly the non-stream answer, ending with finish_reason stop", async () => {
    const messages = userMessage("Explain streaming in a sentence");
    const whole = await client.chat.completions.create({ model: "default", messages });
    const stream = await client.chat.completions.create({ model: "default", messages, stream: true });
    const deltas: string[] = [];
    const finishReasons: string[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
    }
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(whole.choices[0]?.message.content);
    expect(finishReasons).toEqual(["stop"]);
  });

  it("returns tool calls whose arguments parse as JSON and match the tool's schema", async () => {
    const completion = await client.chat.completions.create({
      model: "default",
      messages: userMessage("What is the weather in Lisbon for the next days?"),
      tools: [{ type: "function", function: { name: "get_weather", description: "Weather forecast", parameters: weatherParameters } }],
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const call = choice?.message.tool_calls?.[0];
    if (call?.type !== "function") throw new Error(`expected a function tool call, got ${JSON.stringify(choice?.message)}`);
    expect(call.function.name).toBe("get_weather");
    expect(call.id).toMatch(/.+/);
    const args: unknown = JSON.parse(call.function.arguments);
    expect(schemaProblems(weatherParameters, args)).toEqual([]);
  });

  it("returns content that parses and has the required keys for response_format json_schema", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, population: { type: "integer" }, landmarks: { type: "array", items: { type: "string" }, minItems: 1 } },
      required: ["city", "population", "landmarks"],
      additionalProperties: false,
    };
    const completion = await client.chat.completions.create({
      model: "default",
      messages: userMessage("Facts about Porto"),
      response_format: { type: "json_schema", json_schema: { name: "city_facts", strict: true, schema } },
    });
    const content = completion.choices[0]?.message.content ?? "";
    const parsed: unknown = JSON.parse(content);
    expect(Object.keys(parsed as object).sort()).toEqual(["city", "landmarks", "population"]);
    expect(schemaProblems(schema, parsed)).toEqual([]);
  });

  it("exposes which provider, model and how many attempts answered, via withResponse()", async () => {
    const { data, response } = await client.chat.completions.create({ model: "default", messages: userMessage("Headers please") }).withResponse();
    expect(data.choices[0]?.message.content?.startsWith("[simulated sim-primary]")).toBe(true);
    expect(response.headers.get("x-gateway-provider")).toBe("sim");
    expect(response.headers.get("x-gateway-model")).toBe("sim-primary");
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-gateway-trace-id")).toMatch(/^[0-9a-f]{32}$/);
  });
});
