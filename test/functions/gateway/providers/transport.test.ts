// The transport against the simulator over real HTTP: a JSON POST of the mapped request, any status
// handed back as is, an abort through the signal cutting a hung call, adapters that send themselves,
// and embeddings refused for provider types without them. Also the registry's type → adapter mapping.
import { GatewayError } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../../dev/sim-provider/server";
import { adapterFor } from "../../../../functions/gateway/providers/registry";
import { sendEmbeddingsRequest, sendProviderRequest } from "../../../../functions/gateway/providers/transport";
import type { ProviderAdapter, ProviderType } from "../../../../functions/gateway/providers/types";
import { callCounts, pollUntil, uniqueModel } from "../../../dev/sim-provider/helpers";
import { chatRequest, setFault, simLog, simTarget } from "./helpers";

let sim: SimProvider;

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

describe("sendProviderRequest", () => {
  it("POSTs the mapped JSON body with the mapped headers", async () => {
    const model = uniqueModel("sim-primary");
    const target = { ...simTarget(sim.url, "openai-compatible", model), headers: { "x-tenant": "acme" } };
    const response = await sendProviderRequest(adapterFor("openai-compatible"), chatRequest({}), target, {}, new AbortController().signal);
    expect(response.status).toBe(200);
    const [logged] = await simLog(sim.url, model);
    expect(logged?.headers).toMatchObject({ "content-type": "application/json", "x-tenant": "acme" });
    expect(logged?.body).toMatchObject({ model });
  });

  it("hands back error statuses as Responses rather than throwing", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, status: 500 });
    const response = await sendProviderRequest(adapterFor("simulated"), chatRequest({}), simTarget(sim.url, "simulated", model), {}, new AbortController().signal);
    expect(response.status).toBe(500);
  });

  it("rejects when the signal aborts a call the provider never answers", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, hang: true });
    const controller = new AbortController();
    const pending = sendProviderRequest(adapterFor("simulated"), chatRequest({}), simTarget(sim.url, "simulated", model), {}, controller.signal);
    await pollUntil(() => callCounts(sim.url), (counts) => counts[model] === 1);
    controller.abort(new Error("attempt deadline"));
    await expect(pending).rejects.toThrow("attempt deadline");
  });

  it("uses the adapter's own send when it has one", async () => {
    const seen: string[] = [];
    const selfSending: ProviderAdapter = {
      ...adapterFor("simulated"),
      send: async (request) => {
        seen.push(request.model);
        return new Response("{}", { status: 202 });
      },
    };
    const response = await sendProviderRequest(selfSending, chatRequest({ model: "alias-x" }), simTarget("http://127.0.0.1:1", "simulated", "m"), {}, new AbortController().signal);
    expect(response.status).toBe(202);
    expect(seen).toEqual(["alias-x"]);
  });

  it("rejects a request the adapter refuses, without sending it", async () => {
    const model = uniqueModel("sim-claude");
    const refused = sendProviderRequest(adapterFor("anthropic"), chatRequest({ n: 3 }), simTarget(sim.url, "anthropic", model), {}, new AbortController().signal);
    await expect(refused).rejects.toBeInstanceOf(GatewayError);
    expect((await callCounts(sim.url))[model]).toBeUndefined();
  });
});

describe("sendEmbeddingsRequest", () => {
  it("refuses provider types without embeddings with a 400 on the model", async () => {
    const refused = sendEmbeddingsRequest(adapterFor("anthropic"), { model: "claude", input: "hi" }, simTarget(sim.url, "anthropic", "claude"), new AbortController().signal);
    await expect(refused).rejects.toMatchObject({ status: 400, param: "model", code: "model_not_supported" });
  });
});

describe("adapterFor", () => {
  it.each(["openai", "openai-compatible", "simulated", "anthropic", "workers-ai"] as const)("gives %s its own adapter", (type: ProviderType) => {
    expect(adapterFor(type).type).toBe(type);
  });

  it("gives OpenAI-wire types embeddings and Workers AI its binding sender", () => {
    expect(adapterFor("openai").mapEmbeddingsRequest).toBeTypeOf("function");
    expect(adapterFor("anthropic").mapEmbeddingsRequest).toBeUndefined();
    expect(adapterFor("workers-ai").send).toBeTypeOf("function");
    expect(adapterFor("openai").send).toBeUndefined();
  });
});
