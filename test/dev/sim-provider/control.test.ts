// The simulator's control surface: call counts per model, the call log (credentials stripped),
// listing faults, rejecting bad fault bodies, and DELETE /__sim/faults resetting everything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { callCounts, postJson, setFault, uniqueModel } from "./helpers";

interface LoggedCall {
  model: string;
  wire: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

let sim: SimProvider;

const chat = (model: string, headers: Record<string, string> = {}) =>
  postJson(`${sim.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "my email is a@b.c" }] }, { headers });

const readLog = async (model: string) => (await (await fetch(`${sim.url}/__sim/log?model=${encodeURIComponent(model)}`)).json()) as LoggedCall[];

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
});

afterAll(async () => {
  await sim.close();
});

describe("call counts", () => {
  it("counts calls per model across wires, including faulted and invalid ones", async () => {
    const primary = uniqueModel("sim-primary");
    const secondary = uniqueModel("sim-secondary");
    await chat(primary);
    await chat(primary);
    await postJson(`${sim.url}/v1/messages`, { model: primary, max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    await setFault(sim.url, { model: secondary, status: 500 });
    await chat(secondary);
    await postJson(`${sim.url}/v1/messages`, { model: secondary, messages: [] });
    const counts = await callCounts(sim.url);
    expect(counts[primary]).toBe(3);
    expect(counts[secondary]).toBe(2);
  });

  it("does not count control, models or unknown routes", async () => {
    const before = await callCounts(sim.url);
    await fetch(`${sim.url}/v1/models`);
    await fetch(`${sim.url}/v1/nope`, { method: "POST", body: JSON.stringify({ model: "sim-primary" }) });
    expect(await callCounts(sim.url)).toEqual(before);
  });
});

describe("call log", () => {
  it("records the body as received and headers without authorization / x-api-key", async () => {
    const model = uniqueModel("sim-primary");
    await chat(model, { authorization: "Bearer sk-secret-1", "x-api-key": "sk-secret-2", "idempotency-key": "idem-123" });
    await postJson(`${sim.url}/v1/messages`, { model, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, { headers: { "x-api-key": "sk-secret-3" } });
    const log = await readLog(model);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ model, wire: "openai", path: "/v1/chat/completions", body: { model, messages: [{ role: "user", content: "my email is a@b.c" }] } });
    expect(log[0]?.headers["idempotency-key"]).toBe("idem-123");
    expect(log[1]).toMatchObject({ wire: "anthropic", path: "/v1/messages" });
    for (const entry of log) {
      expect(Object.keys(entry.headers)).not.toContain("authorization");
      expect(Object.keys(entry.headers)).not.toContain("x-api-key");
      expect(JSON.stringify(entry)).not.toContain("sk-secret");
    }
    expect(await readLog(uniqueModel("never-called"))).toEqual([]);
  });

  it("keeps the last 100 requests of a model", async () => {
    const model = uniqueModel("sim-tertiary");
    for (let i = 0; i < 105; i += 1) {
      await postJson(`${sim.url}/v1/messages`, { model, max_tokens: 1, messages: [{ role: "user", content: `n${i}` }] });
    }
    const log = await readLog(model);
    expect(log).toHaveLength(100);
    expect(log[0]?.body).toMatchObject({ messages: [{ content: "n5" }] });
    expect(log[99]?.body).toMatchObject({ messages: [{ content: "n104" }] });
  });
});

describe("faults endpoint", () => {
  it("lists stored faults with remaining times", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, status: 503, times: 3 });
    await chat(model);
    const faults = (await (await fetch(`${sim.url}/__sim/faults`)).json()) as Record<string, unknown>;
    expect(faults[model]).toEqual({ model, status: 503, times: 2 });
  });

  it("rejects a bad fault body with 400", async () => {
    const bodies: unknown[] = [{ status: 503 }, { model: "sim-primary", status: "503" }, { model: "sim-primary", hang: "yes" }, { model: "sim-primary", times: 0 }, { model: "sim-primary", retry_after: 2 }, [1, 2]];
    for (const body of bodies) {
      const response = await postJson(`${sim.url}/__sim/faults`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBeTruthy();
    }
    const notJson = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: "model=sim-primary" });
    expect(notJson.status).toBe(400);
  });

  it("DELETE resets faults, call counters and the log", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, status: 500 });
    await chat(model);
    const reset = await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
    expect(reset.status).toBe(200);
    expect(await callCounts(sim.url)).toEqual({});
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toEqual({});
    expect(await readLog(model)).toEqual([]);
    expect((await chat(model)).status).toBe(200);
    expect(await callCounts(sim.url)).toEqual({ [model]: 1 });
  });

  it("DELETE with ?model= resets only that model", async () => {
    const kept = uniqueModel("sim-primary");
    const cleared = uniqueModel("sim-secondary");
    await setFault(sim.url, { model: kept, status: 500 });
    await setFault(sim.url, { model: cleared, status: 500 });
    await chat(kept);
    await chat(cleared);
    await fetch(`${sim.url}/__sim/faults?model=${encodeURIComponent(cleared)}`, { method: "DELETE" });
    const counts = await callCounts(sim.url);
    expect(counts[kept]).toBe(1);
    expect(counts[cleared]).toBeUndefined();
    expect((await chat(cleared)).status).toBe(200);
    expect((await chat(kept)).status).toBe(500);
  });
});
