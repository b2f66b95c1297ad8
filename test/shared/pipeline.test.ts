// runPipeline's step selection: with the platform config in hand, a disabled guardrail policy or a
// disabled cache for the tenant and model costs no call to that Worker (counted here), the headers
// say "off" / "BYPASS; reason=disabled", and everything still reaches the gateway. Without the
// config, every step asks its Worker. (The whole pipeline runs end to end in test/integration/pipeline.)
import { describe, expect, it } from "vitest";
import { CacheConfigSchema, GuardrailConfigSchema, runPipeline, type ChatCompletion, type ChatCompletionRequest, type PipelineServices } from "@llm-edge/shared";

const completion: ChatCompletion = {
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
};
const request: ChatCompletionRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };
const meta = { route: "m", attempts: 1, skipped: [] };

/** Services whose every RPC counts its calls under its name. */
function countingServices() {
  const calls: Record<string, number> = {};
  const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
  const services = {
    gateway: { chat: async () => (count("gateway.chat"), { ok: true as const, meta, completion }) },
    cache: {
      lookup: async () => (count("cache.lookup"), { status: "MISS" as const, reason: "no_match" }),
      store: async () => (count("cache.store"), { stored: true }),
    },
    guardrail: {
      checkInput: async (_c: unknown, input: { request: ChatCompletionRequest }) => (count("guardrail.checkInput"), { verdict: "pass" as const, findings: [], value: input.request }),
      checkOutput: async (_c: unknown, input: { completion: ChatCompletion }) => (count("guardrail.checkOutput"), { verdict: "pass" as const, findings: [], value: input.completion }),
    },
  } as unknown as PipelineServices;
  return { services, calls };
}

async function run(config?: { guardrails: unknown; cache: unknown }) {
  const { services, calls } = countingServices();
  const background: Array<Promise<unknown>> = [];
  const parsed = config ? { guardrails: GuardrailConfigSchema.parse(config.guardrails), cache: CacheConfigSchema.parse(config.cache) } : undefined;
  const result = await runPipeline(services, { tenant: "acme", request, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ...(parsed ? { config: parsed } : {}) }, (work) => background.push(work));
  await Promise.all(background);
  return { result, calls };
}

describe("runPipeline cancellation", () => {
  it("starts no step once the caller's signal has aborted: 499 request_cancelled, no Worker asked", async () => {
    const { services, calls } = countingServices();
    const result = await runPipeline(services, { tenant: "acme", request, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", signal: AbortSignal.abort() }, () => undefined);
    expect(result).toMatchObject({ ok: false, status: 499, error: { error: { code: "request_cancelled" } } });
    expect(calls).toEqual({});
  });

  it("hands the gateway a probe that says true when the caller aborts mid-call, and stops before the output check", async () => {
    const { services, calls } = countingServices();
    const controller = new AbortController();
    let told: Promise<boolean> | undefined;
    services.gateway.chat = async (_context, input) => {
      told = input.cancelled?.();
      controller.abort();
      return { ok: true, meta, completion };
    };
    const result = await runPipeline(services, { tenant: "acme", request, traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", signal: controller.signal }, () => undefined);
    expect(await told).toBe(true);
    expect(result).toMatchObject({ ok: false, status: 499 });
    expect(calls).toEqual({ "guardrail.checkInput": 1, "cache.lookup": 1 });
  });
});

describe("runPipeline step selection", () => {
  it("asks every Worker when it has no config", async () => {
    const { result, calls } = await run();
    expect(calls).toEqual({ "guardrail.checkInput": 1, "cache.lookup": 1, "gateway.chat": 1, "guardrail.checkOutput": 1, "cache.store": 1 });
    expect(result.meta).toMatchObject({ guardrail: "input=pass; output=pass", cache: "MISS; reason=no_match" });
  });

  it("skips the guardrail and cache calls that the config switches off", async () => {
    const { result, calls } = await run({ guardrails: { policies: { off: { enabled: false } }, assignments: [{ tenant: "acme", policy: "off" }] }, cache: { enabled: false } });
    expect(calls).toEqual({ "gateway.chat": 1 });
    expect(result).toMatchObject({ ok: true, completion, meta: { guardrail: "off", cache: "BYPASS; reason=disabled", steps: ["gateway"] } });
  });

  it("keeps the steps that stay on: a model's cache override and another tenant's policy", async () => {
    const { calls } = await run({ guardrails: { policies: { off: { enabled: false } }, assignments: [{ tenant: "other", policy: "off" }] }, cache: { enabled: false, models: { m: { enabled: true } } } });
    expect(calls).toEqual({ "guardrail.checkInput": 1, "cache.lookup": 1, "gateway.chat": 1, "guardrail.checkOutput": 1, "cache.store": 1 });
  });
});
