// One streaming attempt against real HTTP upstreams: the simulator for whole and cut streams, and a
// bare node:http server for streams that go silent or turn malformed after the first token. What a client reads
// (chunks, the cost comment, [DONE] or an SSE error event), what the breaker is told, and that a
// client who leaves stops the upstream call and frees the probe slot.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OutputValidation } from "@llm-edge/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import type { Outcome } from "../../../functions/gateway/breaker/state";
import { adapterFor } from "../../../functions/gateway/providers/registry";
import type { ResolvedTarget } from "../../../functions/gateway/providers/types";
import type { AttemptContext } from "../../../functions/gateway/resilient-call";
import { attemptStream, type StreamEnd } from "../../../functions/gateway/stream-attempt";
import { readSse } from "../../support/sse";
import { uniqueModel } from "../../dev/sim-provider/helpers";
import { chatRequest, setFault, simTarget } from "./providers/helpers";

const VALIDATION: OutputValidation = { nonEmpty: true, jsonSchema: true };

let sim: SimProvider;
let upstreamServer: Server;
let upstreamUrl: string;
/** Resolves when the scripted server's latest client connection closes. */
let upstreamConnectionClosed: Promise<void> = Promise.resolve();

/** Sends the role chunk and one content chunk; then, on /malformed, an event that is not JSON; else silence until the client hangs up. */
function firstTokenThen(url: string, res: ServerResponse): void {
  upstreamConnectionClosed = new Promise((resolve) => res.once("close", () => resolve()));
  res.writeHead(200, { "content-type": "text/event-stream" });
  const head = { id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1, model: "scripted" };
  res.write(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null }] })}\n\n`);
  if (url.startsWith("/malformed/")) res.write("data: {not json\n\n");
}

function scriptedTarget(behaviour: "stall" | "malformed"): ResolvedTarget {
  return { id: `scripted/${behaviour}`, provider: "scripted", type: "openai-compatible", model: behaviour, baseUrl: `${upstreamUrl}/${behaviour}/v1` };
}

beforeAll(async () => {
  sim = await startSimProvider({ port: 0 });
  upstreamServer = createServer((req, res) => firstTokenThen(req.url ?? "", res));
  await new Promise<void>((resolve) => upstreamServer.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstreamServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  upstreamServer.closeAllConnections();
  await new Promise((resolve) => upstreamServer.close(resolve));
  await sim.close();
});

interface Recorded {
  reports: Array<{ outcome: Outcome; latencyMs: number }>;
  releases: number;
  ends: StreamEnd[];
  /** What was handed to keepAlive (the Worker's waitUntil): the pump that outlives the call. */
  keptAlive: Array<Promise<void>>;
}

function attempt(target: ResolvedTarget, idleMs = 5_000) {
  const recorded: Recorded = { reports: [], releases: 0, ends: [], keptAlive: [] };
  const ctx: AttemptContext = {
    target,
    firstTokenDeadline: Date.now() + 5_000,
    budgetDeadline: Date.now() + 10_000,
    report: (outcome, latencyMs) => recorded.reports.push({ outcome, latencyMs }),
    release: () => {
      recorded.releases += 1;
    },
  };
  const call = { adapter: adapterFor(target.type), request: chatRequest({ stream: true }), bindings: {}, validation: VALIDATION };
  const result = attemptStream(ctx, call, {
    idleMs,
    onEnd: (end) => {
      recorded.ends.push(end);
      return "x-gateway-cost-usd=0.00000100";
    },
    keepAlive: (work) => recorded.keptAlive.push(work),
  });
  return { result, recorded };
}

async function committedStream(target: ResolvedTarget, idleMs?: number) {
  const { result, recorded } = attempt(target, idleMs);
  const outcome = await result;
  if (!outcome.ok) throw new Error(`the attempt failed: ${JSON.stringify(outcome.failure)}`);
  expect(outcome.deferred).toBe(true);
  return { stream: outcome.value, recorded };
}

function dataOf(events: Array<{ data: string }>): string[] {
  return events.map((event) => event.data);
}

describe("attemptStream", () => {
  it("streams every chunk, then the cost comment and [DONE], and reports one success", async () => {
    const model = uniqueModel("sim-primary");
    const { stream, recorded } = await committedStream(simTarget(sim.url, "simulated", model));
    const raw = await new Response(stream).text();
    expect(raw).toContain(": x-gateway-cost-usd=0.00000100\n\n");
    expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
    const data = dataOf((await readSse(new Response(raw))).events);
    const chunks = data.slice(0, -1).map((line) => JSON.parse(line) as { choices: Array<{ delta: { content?: string } }> });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(content).toContain(`[simulated ${model}]`);
    expect(recorded.reports).toEqual([{ outcome: "success", latencyMs: expect.any(Number) }]);
    expect(recorded.ends).toEqual([expect.objectContaining({ outcome: "complete", content, usage: expect.objectContaining({ total_tokens: expect.any(Number) }) })]);
    expect(recorded.releases).toBe(0);
    expect(recorded.keptAlive).toHaveLength(1);
    await expect(recorded.keptAlive[0]).resolves.toBeUndefined();
  });

  it("ends with a stream_interrupted error event and no [DONE] when the provider cuts the stream", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, cutAfterChunks: 3 });
    const { stream, recorded } = await committedStream(simTarget(sim.url, "simulated", model));
    const data = dataOf((await readSse(new Response(stream))).events);
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: expect.objectContaining({ code: "stream_interrupted", type: "server_error" }) });
    expect(recorded.reports.map((report) => report.outcome)).toEqual(["failure"]);
    expect(recorded.ends.map((end) => end.outcome)).toEqual(["interrupted"]);
  });

  it("ends with an upstream_malformed error event when an event after the first token is not JSON", async () => {
    const { stream, recorded } = await committedStream(scriptedTarget("malformed"));
    const data = dataOf((await readSse(new Response(stream))).events);
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data[1]!)).toMatchObject({ choices: [{ delta: { content: "Hello" } }] });
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: expect.objectContaining({ code: "upstream_malformed" }) });
    expect(recorded.reports.map((report) => report.outcome)).toEqual(["failure"]);
    await upstreamConnectionClosed;
  });

  it("ends with a stream_idle_timeout error event when the provider goes silent, and hangs up on it", async () => {
    const { stream, recorded } = await committedStream(scriptedTarget("stall"), 150);
    const data = dataOf((await readSse(new Response(stream))).events);
    expect(data).not.toContain("[DONE]");
    expect(JSON.parse(data.at(-1)!)).toEqual({ error: expect.objectContaining({ code: "stream_idle_timeout" }) });
    expect(recorded.reports.map((report) => report.outcome)).toEqual(["failure"]);
    await upstreamConnectionClosed;
  });

  it("stops the upstream call and frees the probe slot when the client goes away, without judging the target", async () => {
    const { stream, recorded } = await committedStream(scriptedTarget("stall"));
    const reader = stream.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain("Hello");
    await reader.cancel();
    await upstreamConnectionClosed;
    await expect.poll(() => recorded.releases).toBe(1);
    expect(recorded.reports).toEqual([]);
    expect(recorded.ends).toEqual([]);
  });

  it("fails the attempt (no stream) when the provider answers 503 before the first token", async () => {
    const model = uniqueModel("sim-primary");
    await setFault(sim.url, { model, status: 503 });
    const { result, recorded } = attempt(simTarget(sim.url, "simulated", model));
    const outcome = await result;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.failure).toMatchObject({ kind: "status", status: 503 });
    expect(recorded.reports).toEqual([]);
  });
});
