// Bad input never reaches a provider: each case gets the right 4xx with an OpenAI-style body, and
// the simulator's call counters stay at zero.
import { beforeEach, describe, expect, it } from "vitest";
import { ask, chat, resetSim, stack } from "../support";

beforeEach(resetSim);

type ErrorBody = { error: { message: string; type: string; code: string | null; param: string | null } };

async function callsTotal(): Promise<number> {
  const calls = (await (await fetch(`${stack.simUrl}/__sim/calls`)).json()) as Record<string, number>;
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(`${stack.edgeUrl}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json", ...headers }, body });
}

describe("bad input", () => {
  it.each([
    ["malformed JSON", "{\"model\": \"default\", \"messages\": [", 400, "invalid_json", null],
    ["messages not an array", JSON.stringify({ model: "default", messages: "hi" }), 400, "invalid_value", "messages"],
    ["missing model", JSON.stringify({ messages: [{ role: "user", content: "hi" }] }), 400, "invalid_value", "model"],
    ["unknown role", JSON.stringify({ model: "default", messages: [{ role: "wizard", content: "hi" }] }), 400, "invalid_value", "messages.0.role"],
    ["temperature out of range", JSON.stringify(ask("default", "hi", { temperature: 7 })), 400, "invalid_value", "temperature"],
    ["unknown model", JSON.stringify(ask("no-such-model")), 404, "model_not_found", "model"],
  ])("%s → %i %s", async (_name, body, status, code, param) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    const error = ((await response.json()) as ErrorBody).error;
    expect(error.code).toBe(code);
    expect(error.param).toBe(param);
    expect(error.message).not.toMatch(/at .*\.ts:\d+/);
    expect(await callsTotal()).toBe(0);
  });

  it("rejects an oversize body with 413", async () => {
    const response = await post(JSON.stringify(ask("default", "x".repeat(1_100_000))));
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe("request_too_large");
    expect(await callsTotal()).toBe(0);
  });

  it("rejects a missing key with 401 before anything else", async () => {
    const response = await fetch(`${stack.edgeUrl}/v1/chat/completions`, { method: "POST", body: JSON.stringify(ask("default")) });
    expect(response.status).toBe(401);
    expect(await callsTotal()).toBe(0);
  });

  it("refuses an override naming a target the config does not know (no arbitrary hosts)", async () => {
    for (const header of ["http://169.254.169.254/v1", "sim/not-configured", "evil/gpt-4o"]) {
      const response = await post(JSON.stringify(ask("default")), { "x-gateway-targets": header });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).error.code).toBe("unknown_target");
    }
    expect(await callsTotal()).toBe(0);
  });
});
