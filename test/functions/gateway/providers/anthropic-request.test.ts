// OpenAI → Anthropic request translation edge cases: turn merging and ordering, tool_choice,
// parameters Anthropic bounds or names differently, response_format as a system instruction, and the
// inputs refused with a 400 that names the parameter.
import { GatewayError } from "@llm-edge/shared";
import { describe, expect, it } from "vitest";
import { responseFormatInstruction, toAnthropicRequest, toAnthropicToolChoice } from "../../../../functions/gateway/providers/anthropic-request";
import { chatRequest } from "./helpers";

const translate = (fields: Record<string, unknown>) => toAnthropicRequest(chatRequest(fields), "claude-test");

function refusal(fields: Record<string, unknown>): GatewayError {
  try {
    translate(fields);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

const call = (id: string, args: string) => ({ id, type: "function", function: { name: "lookup", arguments: args } });

describe("turns", () => {
  it("merges consecutive same-role messages into one turn", () => {
    const body = translate({
      messages: [
        { role: "user", content: "First." },
        { role: "user", content: [{ type: "text", text: "Second." }] },
        { role: "assistant", content: "Reply one." },
        { role: "assistant", content: "Reply two." },
        { role: "user", content: "Third." },
      ],
    });
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "First." }, { type: "text", text: "Second." }] },
      { role: "assistant", content: [{ type: "text", text: "Reply one." }, { type: "text", text: "Reply two." }] },
      { role: "user", content: [{ type: "text", text: "Third." }] },
    ]);
  });

  it("puts tool results in one user turn, ahead of a user message that follows them", () => {
    const body = translate({
      messages: [
        { role: "user", content: "Look both up." },
        { role: "assistant", content: "Looking.", tool_calls: [call("call_a", '{"q":"a"}'), call("call_b", "")] },
        { role: "tool", tool_call_id: "call_a", content: [{ type: "text", text: "A!" }] },
        { role: "tool", tool_call_id: "call_b", content: "" },
        { role: "user", content: "Thanks, summarise." },
      ],
    });
    expect(body.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Looking." },
        { type: "tool_use", id: "call_a", name: "lookup", input: { q: "a" } },
        { type: "tool_use", id: "call_b", name: "lookup", input: {} },
      ],
    });
    expect(body.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "call_a", content: "A!" },
        { type: "tool_result", tool_use_id: "call_b" },
        { type: "text", text: "Thanks, summarise." },
      ],
    });
    expect(body.messages).toHaveLength(3);
  });

  it("moves tool results ahead of user text that came before them in the same turn", () => {
    const body = translate({
      messages: [
        { role: "user", content: "Look it up." },
        { role: "assistant", content: null, tool_calls: [call("call_a", "{}")] },
        { role: "user", content: "Hurry, please." },
        { role: "tool", tool_call_id: "call_a", content: "A!" },
      ],
    });
    expect(body.messages[2]?.content).toEqual([
      { type: "tool_result", tool_use_id: "call_a", content: "A!" },
      { type: "text", text: "Hurry, please." },
    ]);
  });

  it("hoists system messages from anywhere and drops empty text", () => {
    const body = translate({
      messages: [
        { role: "user", content: "Hi" },
        { role: "system", content: "Late rule." },
        { role: "assistant", content: "   " },
        { role: "user", content: "Again" },
      ],
    });
    expect(body.system).toBe("Late rule.");
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }, { type: "text", text: "Again" }] }]);
  });
});

describe("images", () => {
  it("sends data URLs as base64 sources (image/jpg as image/jpeg) and http(s) URLs as url sources", () => {
    const body = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQ" } },
            { type: "image_url", image_url: { url: "http://example.com/a.webp", detail: "low" } },
          ],
        },
      ],
    });
    expect(body.messages[0]?.content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
      { type: "image", source: { type: "url", url: "http://example.com/a.webp" } },
    ]);
  });
});

describe("tool_choice", () => {
  it.each([
    ["auto", undefined, { type: "auto" }],
    ["required", undefined, { type: "any" }],
    ["none", undefined, { type: "none" }],
    [{ type: "function", function: { name: "lookup" } }, undefined, { type: "tool", name: "lookup" }],
    ["required", false, { type: "any", disable_parallel_tool_use: true }],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    [undefined, undefined, undefined],
  ] as const)("maps %j (parallel_tool_calls %j) to %j", (choice, parallel, expected) => {
    expect(toAnthropicToolChoice(choice, parallel)).toEqual(expected);
  });

  it("is sent only with tools, which default to an empty object schema", () => {
    expect(translate({ tool_choice: "auto" }).tool_choice).toBeUndefined();
    const body = translate({ tools: [{ type: "function", function: { name: "ping" } }], tool_choice: "required", parallel_tool_calls: false });
    expect(body.tools).toEqual([{ name: "ping", input_schema: { type: "object", properties: {} } }]);
    expect(body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
  });
});

describe("parameters", () => {
  it("defaults max_tokens to 4096 and prefers max_completion_tokens", () => {
    expect(translate({}).max_tokens).toBe(4096);
    expect(translate({ max_tokens: 100 }).max_tokens).toBe(100);
    expect(translate({ max_tokens: 100, max_completion_tokens: 50 }).max_tokens).toBe(50);
  });

  it("clamps temperature to 1, keeps top_p, maps stop lists, and leaves out what was not asked", () => {
    expect(translate({ temperature: 0.4, top_p: 0.9, stop: ["A", "B"] })).toMatchObject({ temperature: 0.4, top_p: 0.9, stop_sequences: ["A", "B"] });
    expect(translate({ temperature: 2 }).temperature).toBe(1);
    expect(Object.keys(translate({ seed: 3, presence_penalty: 1 })).sort()).toEqual(["max_tokens", "messages", "model"]);
  });

  it("asks for JSON in the system prompt instead of response_format", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const body = translate({
      messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Answer" }],
      response_format: { type: "json_schema", json_schema: { name: "answer", schema } },
    });
    expect(body.system?.startsWith("You are terse.\n\nRespond with a single valid JSON value")).toBe(true);
    expect(body.system).toContain(JSON.stringify(schema));
    expect(responseFormatInstruction({ type: "json_object" })).toMatch(/JSON object/);
    expect(responseFormatInstruction({ type: "text" })).toBeUndefined();
  });
});

describe("refusals (400 naming the parameter)", () => {
  it("refuses n > 1", () => {
    expect(refusal({ n: 2 })).toMatchObject({ status: 400, type: "invalid_request_error", param: "n", code: "unsupported_parameter" });
  });

  it("refuses tool-call arguments that are not a JSON object", () => {
    const messages = (args: string) => [{ role: "user", content: "Go" }, { role: "assistant", content: null, tool_calls: [call("c1", '{"ok":true}'), call("c2", args)] }];
    expect(refusal({ messages: messages("{not json") })).toMatchObject({ status: 400, param: "messages[1].tool_calls[1].function.arguments" });
    expect(refusal({ messages: messages("[1,2]") }).message).toMatch(/JSON object/);
  });

  it("refuses images Anthropic cannot take and content parts it does not know", () => {
    const withPart = (part: unknown) => ({ messages: [{ role: "user", content: [{ type: "text", text: "See" }, part] }] });
    expect(refusal(withPart({ type: "image_url", image_url: { url: "data:image/png,rawbytes" } }))).toMatchObject({ param: "messages[0].content[1].image_url.url" });
    expect(refusal(withPart({ type: "image_url", image_url: { url: "ftp://host/x.png" } }))).toMatchObject({ param: "messages[0].content[1].image_url.url" });
    expect(refusal(withPart({ type: "input_audio", input_audio: { data: "AAA", format: "wav" } }))).toMatchObject({ param: "messages[0].content[1].type", code: "unsupported_content" });
  });
});
