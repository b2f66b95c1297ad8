// The simulator's ways to answer with a chosen text: the `output` fault (verbatim content on both
// wires, counted by `times`) and a json_schema's `examples` (the first example is the answer).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { postJson, setFault, uniqueModel } from "./helpers";

let sim: SimProvider;

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

const chat = (model: string, extra: Record<string, unknown> = {}) => postJson(`${sim.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "Plan it" }], ...extra });
const content = async (response: Response) => ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;

describe("canned output", () => {
  it("answers the `output` text verbatim, whatever the format, for `times` calls", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, output: '{"tasks": []}', times: 1 });
    const format = { type: "json_schema", json_schema: { name: "plan", schema: { type: "object", properties: { tasks: { type: "array" } }, required: ["tasks"] } } };
    expect(await content(await chat(model, { response_format: format }))).toBe('{"tasks": []}');
    expect(await content(await chat(model))).toContain(`[simulated ${model}]`);
  });

  it("answers the Anthropic wire's text with the `output` text too", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, output: "exactly this" });
    const response = await postJson(`${sim.url}/v1/messages`, { model, max_tokens: 100, messages: [{ role: "user", content: "Hi" }] });
    expect(((await response.json()) as { content: Array<{ text: string }> }).content[0]!.text).toBe("exactly this");
  });

  it("answers a json_schema that gives examples with its first example", async () => {
    const example = { tasks: [{ id: "a", dependsOn: [] }] };
    const format = { type: "json_schema", json_schema: { name: "plan", schema: { type: "object", properties: { tasks: { type: "array" } }, examples: [example, { tasks: [] }] } } };
    expect(JSON.parse(await content(await chat(uniqueModel("sim-primary"), { response_format: format })))).toEqual(example);
  });
});
