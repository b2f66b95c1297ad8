// The simulated provider on the Anthropic wire: /v1/messages responses, the streaming event
// sequence, tool_use blocks, stop reasons and Anthropic-shaped validation errors, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { readSse } from "../../support/sse";
import { postJson, schemaProblems } from "./helpers";

interface AnthropicMessage {
  id: string;
  type: string;
  role: string;
  model: string;
  content: ({ type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown })[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number };
}

const searchTool = {
  name: "search_docs",
  description: "Search the docs",
  input_schema: {
    type: "object",
    properties: {
      query: { type: "string" },
      limit: { type: "integer", minimum: 1, maximum: 10 },
      filters: { type: "object", properties: { section: { type: "string", enum: ["api", "guides"] } }, required: ["section"] },
    },
    required: ["query", "limit", "filters"],
  },
};

let sim: SimProvider;
let messagesUrl: string;

const send = (body: Record<string, unknown>) =>
  postJson(messagesUrl, { model: "sim-secondary", max_tokens: 512, ...body }, { headers: { "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" } });

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
  messagesUrl = `${sim.url}/v1/messages`;
});

afterAll(async () => {
  await sim.close();
});

describe("messages (non-stream)", () => {
  it("answers deterministically with the message shape, end_turn and usage", async () => {
    const request = { system: [{ type: "text", text: "Be brief." }], messages: [{ role: "user", content: [{ type: "text", text: "Hi there" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } }] }] };
    const first = (await (await send(request)).json()) as AnthropicMessage;
    const second = (await (await send(request)).json()) as AnthropicMessage;
    const otherSystem = (await (await send({ ...request, system: "Be verbose." })).json()) as AnthropicMessage;
    expect(first).toMatchObject({ type: "message", role: "assistant", model: "sim-secondary", stop_reason: "end_turn", stop_sequence: null });
    expect(first.id).toMatch(/^msg_/);
    expect(first.content).toHaveLength(1);
    const text = first.content[0]?.type === "text" ? first.content[0].text : "";
    expect(text).toMatch(/^\[simulated sim-secondary\]/);
    expect(second.content).toEqual(first.content);
    expect(otherSystem.content).not.toEqual(first.content);
    expect(first.usage.input_tokens).toBeGreaterThan(0);
    expect(first.usage.output_tokens).toBeGreaterThan(0);
  });

  it("stops at max_tokens and at stop_sequences with the matching stop_reason", async () => {
    const short = (await (await send({ max_tokens: 3, messages: [{ role: "user", content: "Long please" }] })).json()) as AnthropicMessage;
    expect(short.stop_reason).toBe("max_tokens");
    expect(short.usage.output_tokens).toBe(3);
    const full = (await (await send({ messages: [{ role: "user", content: "Stop here" }] })).json()) as AnthropicMessage;
    const fullText = full.content[0]?.type === "text" ? full.content[0].text : "";
    const stopWord = fullText.split(" ").slice(-4)[0] ?? "";
    const stopped = (await (await send({ stop_sequences: [stopWord], messages: [{ role: "user", content: "Stop here" }] })).json()) as AnthropicMessage;
    expect(stopped.stop_reason).toBe("stop_sequence");
    expect(stopped.stop_sequence).toBe(stopWord);
    expect(stopped.content[0]).toEqual({ type: "text", text: fullText.slice(0, fullText.indexOf(stopWord)) });
  });

  it("answers with a tool_use block whose input conforms to input_schema", async () => {
    const body = (await (await send({ tools: [searchTool], messages: [{ role: "user", content: "Find the auth docs" }] })).json()) as AnthropicMessage;
    expect(body.stop_reason).toBe("tool_use");
    const block = body.content[0];
    expect(block?.type).toBe("tool_use");
    if (block?.type !== "tool_use") return;
    expect(block.id).toMatch(/^toolu_/);
    expect(block.name).toBe("search_docs");
    expect(schemaProblems(searchTool.input_schema, block.input)).toEqual([]);
  });

  it("answers in text after a tool_result and when tool_choice is none", async () => {
    const afterResult = (await (
      await send({
        tools: [searchTool],
        messages: [
          { role: "user", content: "Find the auth docs" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "search_docs", input: { query: "auth" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "Auth lives in /docs/auth" }] },
        ],
      })
    ).json()) as AnthropicMessage;
    expect(afterResult.stop_reason).toBe("end_turn");
    expect(afterResult.content[0]?.type).toBe("text");
    const none = (await (await send({ tools: [searchTool], tool_choice: { type: "none" }, messages: [{ role: "user", content: "Hi" }] })).json()) as AnthropicMessage;
    expect(none.content[0]?.type).toBe("text");
  });

  it("requires max_tokens (400, Anthropic error shape)", async () => {
    const response = await postJson(messagesUrl, { model: "sim-secondary", messages: [{ role: "user", content: "Hi" }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } });
  });
});

describe("messages (stream)", () => {
  it("sends the real event sequence whose text deltas join to the non-stream answer", async () => {
    const request = { messages: [{ role: "user", content: "Stream a haiku" }] };
    const plain = (await (await send(request)).json()) as AnthropicMessage;
    const response = await send({ ...request, stream: true });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { events, ended } = await readSse(response);
    expect(ended).toBe("clean");
    const types = events.map((event) => event.event);
    const deltaCount = types.filter((type) => type === "content_block_delta").length;
    expect(deltaCount).toBeGreaterThan(3);
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...Array.from({ length: deltaCount }, () => "content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const data = events.map((event) => JSON.parse(event.data) as Record<string, unknown> & { type: string });
    expect(data.every((payload, index) => payload.type === types[index])).toBe(true);
    expect(data[0]).toMatchObject({ message: { type: "message", role: "assistant", model: "sim-secondary", content: [], stop_reason: null } });
    expect(data[1]).toMatchObject({ index: 0, content_block: { type: "text", text: "" } });
    const text = data
      .filter((payload) => payload.type === "content_block_delta")
      .map((payload) => (payload.delta as { type: string; text: string }).text)
      .join("");
    const plainText = plain.content[0]?.type === "text" ? plain.content[0].text : "";
    expect(text).toBe(plainText);
    expect(data.at(-2)).toMatchObject({ delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: plain.usage.output_tokens } });
  });

  it("streams tool input as input_json_delta that joins to conforming JSON", async () => {
    const { events } = await readSse(await send({ stream: true, tools: [searchTool], messages: [{ role: "user", content: "Find it" }] }));
    const data = events.map((event) => JSON.parse(event.data) as { type: string; content_block?: { type: string; name: string }; delta?: { type: string; partial_json?: string; stop_reason?: string } });
    expect(data[1]?.content_block).toMatchObject({ type: "tool_use", name: "search_docs", input: {} });
    const json = data.filter((payload) => payload.delta?.type === "input_json_delta").map((payload) => payload.delta?.partial_json).join("");
    expect(schemaProblems(searchTool.input_schema, JSON.parse(json))).toEqual([]);
    expect(data.find((payload) => payload.type === "message_delta")?.delta?.stop_reason).toBe("tool_use");
  });
});
