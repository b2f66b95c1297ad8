// Traces across Workers and logs without secrets or raw PII: one chat request (and one job) leaves
// JSON log lines from every Worker it crossed in the wrangler log, all with the same trace id, which
// is also the response's x-gateway-trace-id; a client's traceparent is continued; message content
// and keys never reach the log.
import { describe, expect, it } from "vitest";
import { waitFor } from "../../../dev/ports";
import { ask, chat, stack } from "../support";
import { finishedJob } from "../jobs/support";
import { traceLines, wranglerLogText, type LogLine } from "./support";

const NONCE = Math.random().toString(36).slice(2, 10);
const hex = (length: number) => Array.from({ length }, () => Math.floor(Math.random() * 16).toString(16)).join("");

function workersOf(lines: LogLine[]): Set<string> {
  return new Set(lines.map((line) => String(line.worker)));
}

/** Runs a one-branch fan-out job to success; returns its id and trace id once the coordinator's task line is logged. */
async function tracedJob(model: string, content: string): Promise<{ id: string; traceId: string }> {
  const response = await fetch(`${stack.edgeUrl}/v1/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ kind: "fanout", branches: [{ model, messages: [{ role: "user", content }] }] }),
  });
  expect(response.status).toBe(202);
  const traceId = response.headers.get("x-gateway-trace-id")!;
  const { id } = (await response.json()) as { id: string };
  expect((await finishedJob(id)).status).toBe("succeeded");
  await waitFor(async () => traceLines(traceId).some((line) => line.worker === "fanout" && line.rpc === "task"), 10_000, "the coordinator's task line");
  return { id, traceId };
}

describe("traces across Workers", () => {
  it("one chat request: edge, guardrail, cache and gateway log JSON lines with the response's trace id", async () => {
    const response = await chat(ask("t-obs-cache", `Trace me ${NONCE}`));
    expect(response.status).toBe(200);
    await response.text();
    const traceId = response.headers.get("x-gateway-trace-id")!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // The cache store runs in the background, and lines reach the log asynchronously: wait for the
    // store's line and the edge's request line.
    await waitFor(
      async () => traceLines(traceId).some((line) => line.worker === "cache" && line.rpc === "store") && traceLines(traceId).some((line) => line.worker === "edge" && line.message === "request"),
      10_000,
      "the cache store's and the edge's log lines",
    );
    const lines = traceLines(traceId);
    expect([...workersOf(lines)].sort()).toEqual(["cache", "edge", "gateway", "guardrail"]);
    expect(lines.every((line) => line.traceId === traceId)).toBe(true);
    const rpcs = lines.filter((line) => line.message === "rpc done").map((line) => `${line.worker}.${line.rpc}`);
    expect(rpcs).toEqual(expect.arrayContaining(["guardrail.checkInput", "cache.lookup", "gateway.chat", "guardrail.checkOutput", "cache.store"]));
    const edge = lines.find((line) => line.worker === "edge" && line.message === "request")!;
    // The request line says what the pipeline did, from the response's x-gateway-* headers.
    expect(edge).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      tenant: "tenant-a",
      route: "t-obs-cache",
      provider: "sim",
      model: "t-obs-cache-a",
      attempts: "1",
      cache: response.headers.get("x-gateway-cache"),
      guardrail: response.headers.get("x-gateway-guardrail"),
    });
    expect(edge.cache).toMatch(/^MISS/);
    expect(edge.guardrail).toBe("input=pass; output=pass");
    // Each Worker's span hangs under the edge's span.
    const gateway = lines.find((line) => line.worker === "gateway" && line.rpc === "chat")!;
    expect(gateway.parentSpanId).toBe(edge.spanId);
    expect(gateway).toMatchObject({ route: "t-obs-cache", target: "sim/t-obs-cache-a", attempts: 1, status: 200 });
  });

  it("continues a client's traceparent", async () => {
    const traceId = hex(32);
    const clientSpan = hex(16);
    const response = await chat(ask("t-obs", `Continue my trace ${NONCE}`), { traceparent: `00-${traceId}-${clientSpan}-01` });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-trace-id")).toBe(traceId);
    // Log lines reach the wrangler log asynchronously: wait for the edge's request line itself.
    await waitFor(async () => traceLines(traceId).some((line) => line.worker === "edge" && line.message === "request"), 10_000, "the edge's request line");
    const edge = traceLines(traceId).find((line) => line.worker === "edge" && line.message === "request")!;
    expect(edge.parentSpanId).toBe(clientSpan);
    // A priced model: the request line carries the cost the client was told.
    expect(response.headers.get("x-gateway-cost-usd")).toMatch(/^\d+\.\d{8}$/);
    expect(edge.costUsd).toBe(response.headers.get("x-gateway-cost-usd"));
  });

  it("a job: the fan-out Worker, its coordinator's task calls and the Workers they reach log the job's trace id", async () => {
    const { id, traceId } = await tracedJob("t-obs-job", `Job trace ${NONCE}`);
    const lines = traceLines(traceId);
    expect([...workersOf(lines)]).toEqual(expect.arrayContaining(["edge", "fanout", "guardrail", "gateway"]));
    expect(lines.find((line) => line.rpc === "createJob")).toMatchObject({ jobId: id, kind: "fanout" });
    expect(lines.find((line) => line.rpc === "task")).toMatchObject({ jobId: id, ok: true, attempt: 1 });
    expect(lines.find((line) => line.worker === "gateway" && line.rpc === "chat")).toMatchObject({ route: "t-obs-job", status: 200 });
  });
});

describe("steps the config switches off", () => {
  it("a chat request and a job's task on a model whose guardrails are off call neither the guardrail nor the (disabled) cache", async () => {
    const response = await chat(ask("t-guard-off", `Plain ${NONCE}`));
    expect(response.status).toBe(200);
    const chatTrace = response.headers.get("x-gateway-trace-id")!;
    const { traceId: jobTrace } = await tracedJob("t-guard-off", `Plain job ${NONCE}`);
    for (const traceId of [chatTrace, jobTrace]) {
      await waitFor(async () => workersOf(traceLines(traceId)).has("gateway"), 10_000, "the gateway's log line");
      const workers = workersOf(traceLines(traceId));
      expect(workers.has("guardrail")).toBe(false);
      expect(workers.has("cache")).toBe(false);
    }
  });
});

describe("logs carry no secrets and no raw PII", () => {
  it("an email, a card number and a provider key sent through every Worker (and echoed back) never reach the log", async () => {
    const email = `jane.${NONCE}@example.com`;
    const card = "4111 1111 1111 1111";
    const key = `sk-proj-${NONCE}abcdefghijklmnop`;
    const text = `Contact ${email}, card ${card}, key ${key}`;
    // echo-output lets the input through untouched, so the values travel to the simulator and back,
    // where the output guardrail blocks the echoed key.
    const plain = await chat(ask("t-obs-echo", text));
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "guardrail_blocked", param: "output" });
    const streamed = await chat(ask("t-obs-echo", `${text} (stream)`, { stream: true }));
    expect(streamed.status).toBe(200);
    const events = await streamed.text();
    expect(events).toContain('"code":"guardrail_blocked"');
    expect(events).not.toContain(key);
    for (const response of [plain, streamed]) {
      const traceId = response.headers.get("x-gateway-trace-id")!;
      await waitFor(async () => workersOf(traceLines(traceId)).has("gateway"), 10_000, "the gateway's log line");
    }
    const log = wranglerLogText();
    expect(log).not.toContain(email);
    expect(log).not.toContain(card);
    expect(log).not.toContain("4111111111111111");
    expect(log).not.toContain(key);
    expect(log).not.toContain(stack.apiKey);
  });
});
