// Model routing: aliases, rules on metadata and streaming, weighted and cheapest strategies, the
// per-request override, /v1/models, embeddings and the Anthropic wire behind an OpenAI alias.
import { beforeEach, describe, expect, it } from "vitest";
import { readSse } from "../../support/sse";
import { ask, chat, resetSim, simCalls, simLog, stack } from "../support";

beforeEach(resetSim);

describe("routing", () => {
  it("picks targets by rules on metadata and streaming, else the route's targets", async () => {
    expect((await chat(ask("t-rules", "hi", { metadata: { tier: "premium" } }))).headers.get("x-gateway-model")).toBe("t-rules-premium");
    expect((await chat(ask("t-rules", "hi", { stream: true }))).headers.get("x-gateway-model")).toBe("t-rules-stream");
    expect((await chat(ask("t-rules"))).headers.get("x-gateway-model")).toBe("t-rules-default");
  });

  it("spreads first attempts by weight", async () => {
    for (let i = 0; i < 40; i++) expect((await chat(ask("t-weighted"))).status).toBe(200);
    const calls = await simCalls("t-w-a", "t-w-b");
    expect(calls["t-w-a"]! + calls["t-w-b"]!).toBe(40);
    expect(calls["t-w-b"]!).toBeGreaterThan(calls["t-w-a"]!);
    expect(calls["t-w-a"]!).toBeGreaterThan(0);
  });

  it("tries the cheapest target first with strategy cheapest", async () => {
    expect((await chat(ask("t-cheapest"))).headers.get("x-gateway-model")).toBe("sim-secondary");
  });

  it("lets x-gateway-targets choose among configured targets", async () => {
    const response = await chat(ask("default"), { "x-gateway-targets": "sim/sim-secondary" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-model")).toBe("sim-secondary");
    expect(await simCalls("sim-primary", "sim-secondary")).toEqual({ "sim-primary": 0, "sim-secondary": 1 });
  });

  it("lists the route aliases on /v1/models", async () => {
    const response = await fetch(`${stack.edgeUrl}/v1/models`, { headers: { authorization: `Bearer ${stack.apiKey}` } });
    const body = (await response.json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(body.object).toBe("list");
    expect(body.data.map((model) => model.id)).toEqual(expect.arrayContaining(["default", "sim-claude", "t-retry"]));
  });

  it("returns embeddings through the gateway with headers", async () => {
    const response = await fetch(`${stack.edgeUrl}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "sim-embed", input: ["hello world", "good morning"] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-model")).toBe("sim-embed");
    const body = (await response.json()) as { data: Array<{ embedding: number[] }> };
    expect(body.data).toHaveLength(2);
    expect(body.data[0]?.embedding).toHaveLength(512);
  });
});

describe("Anthropic translation through the simulator's Anthropic wire", () => {
  it("sends system and messages in Anthropic's shape and answers in OpenAI's", async () => {
    const response = await chat({ model: "t-claude", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello Claude" }], max_tokens: 1000 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: Array<{ message: { content: string }; finish_reason: string }>; usage: { total_tokens: number } };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.content).toContain("[simulated t-claude]");
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    const sent = (await simLog("t-claude")).at(-1)!.body;
    expect(sent.system).toBe("Be brief.");
    expect(sent.max_tokens).toBe(1000);
    const messages = sent.messages as Array<{ role: string; content: unknown }>;
    expect(messages).toHaveLength(1);
    expect(messages[0]?.role).toBe("user");
    expect(JSON.stringify(messages[0]?.content)).toContain("Hello Claude");
  });

  it("maps Anthropic stream events to OpenAI chunks ending in [DONE]", async () => {
    const response = await chat({ model: "t-claude", messages: [{ role: "user", content: "Stream please" }], stream: true });
    const { events } = await readSse(response);
    const data = events.map((event) => event.data);
    expect(data.at(-1)).toBe("[DONE]");
    const text = data.slice(0, -1).map((line) => JSON.parse(line) as { choices: Array<{ delta: { content?: string } }> }).map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toContain("[simulated t-claude]");
  });

  it("translates tools both ways", async () => {
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
    const response = await chat({ model: "t-claude", messages: [{ role: "user", content: "Weather in Oslo?" }], tools });
    const body = (await response.json()) as { choices: Array<{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> }; finish_reason: string }> };
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    const call = body.choices[0]?.message.tool_calls[0];
    expect(call?.function.name).toBe("get_weather");
    expect(typeof (JSON.parse(call!.function.arguments) as { city: unknown }).city).toBe("string");
    const sent = (await simLog("t-claude")).at(-1)!.body as { tools: Array<{ name: string; input_schema: unknown }> };
    expect(sent.tools[0]?.name).toBe("get_weather");
    expect(sent.tools[0]?.input_schema).toEqual(tools[0]!.function.parameters);
  });
});
