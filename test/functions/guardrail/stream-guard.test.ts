// guardStream: values split across chunks at every offset are caught before any part leaves,
// redacted in-stream; a secret ends the stream with a guardrail_blocked error event and no [DONE];
// role, usage, unknown fields, [DONE] and upstream error events pass in order; tool-call arguments
// are guarded too. One test runs a real stream from the simulated provider over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSseEvents, type ChatCompletionRequest } from "@llm-edge/shared";
import { startSimProvider, type SimProvider } from "../../../dev/sim-provider/server";
import { guardStream } from "../../../functions/guardrail/stream-guard";
import { StreamWindow } from "../../../functions/guardrail/stream-window";
import { fakeKeys } from "./fakes";
import { depsWith, policyFrom, startQueueHarness, type QueueHarness } from "./helpers";

const request: ChatCompletionRequest = { model: "sim-primary", messages: [{ role: "user", content: "hi" }], stream: true };
const encoder = new TextEncoder();

/** An upstream SSE stream that delivers each event as its own network chunk. */
function upstream(events: string[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      if (index < events.length) controller.enqueue(encoder.encode(`data: ${events[index++]}\n\n`));
      else controller.close();
    },
  });
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null, index = 0) =>
  JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", system_fingerprint: "fp_x", choices: [{ index, delta, finish_reason: finish }] });

/** A stream of content deltas: role chunk, the pieces, a finish chunk, [DONE]. */
const contentStream = (pieces: string[]) => upstream([chunk({ role: "assistant", content: "" }), ...pieces.map((content) => chunk({ content })), chunk({}, "stop"), "[DONE]"]);

interface Collected {
  data: string[];
  content: string;
  done: boolean;
  error?: { message: string; type: string; param: null; code: string };
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Collected> {
  const result: Collected = { data: [], content: "", done: false };
  for await (const event of readSseEvents(stream)) {
    result.data.push(event.data);
    if (event.data === "[DONE]") {
      result.done = true;
      continue;
    }
    const parsed = JSON.parse(event.data) as { error?: Collected["error"]; choices?: Array<{ delta?: { content?: string | null } }> };
    if (parsed.error) result.error = parsed.error;
    for (const choice of parsed.choices ?? []) result.content += choice.delta?.content ?? "";
  }
  return result;
}

const guard = (stream: ReadableStream<Uint8Array>, config: Record<string, unknown> = {}) => guardStream(depsWith(config), { tenant: "t", request, stream });

describe("redaction across chunk boundaries", () => {
  const before = "Sure, write to ";
  const email = "jane.doe@example.org";
  const after = " and we will reply within two working days, as promised.";
  const full = before + email + after;
  const expected = `${before}[EMAIL_ADDRESS]${after}`;

  it("redacts an email split into two chunks at every offset, leaking no part of it", async () => {
    for (let cut = before.length; cut <= before.length + email.length; cut++) {
      const result = await collect(guard(contentStream([full.slice(0, cut), full.slice(cut)])));
      expect(result.content, `cut at ${cut}`).toBe(expected);
      expect(result.done).toBe(true);
    }
  });

  it("redacts a spaced card number split into three chunks at every pair of offsets", async () => {
    const card = "4111 1111 1111 1111";
    const text = `Charge card ${card} today, then send the receipt to the usual billing contact.`;
    const start = text.indexOf(card);
    for (let first = start; first <= start + card.length; first += 2) {
      for (let second = first; second <= start + card.length; second += 3) {
        const result = await collect(guard(contentStream([text.slice(0, first), text.slice(first, second), text.slice(second)])));
        expect(result.content, `cuts ${first}/${second}`).toBe(text.replace(card, "[CREDIT_CARD]"));
      }
    }
  });

  it("streams text out before the end when nothing is pending (the window is bounded)", async () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i} `);
    let content = "";
    let sawDone = false;
    for await (const event of readSseEvents(guard(contentStream(words)))) {
      if (event.data === "[DONE]") sawDone = true;
      else content += (JSON.parse(event.data) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "";
      if (content.includes("word10 ")) break;
    }
    expect(content).toContain("word10 ");
    expect(sawDone).toBe(false);
  });

  it("releases the first words as soon as more than the 64-character hold is in (token by token)", () => {
    const window = new StreamWindow(policyFrom(), "output", "salt");
    const text = "The gateway retries with jitter so that its many clients never retry in lockstep again. ".repeat(2);
    let pushed = 0;
    let released = "";
    while (released === "" && pushed < text.length) released = window.push(text.slice(pushed, (pushed += 2))).release;
    expect(pushed).toBeLessThanOrEqual(68);
    expect(text.startsWith(released)).toBe(true);
    expect(released.length).toBeGreaterThan(0);
  });
});

describe("block", () => {
  const key = fakeKeys.openaiProject;
  const before = "Here is the key you asked for: ";
  const text = `${before}${key} — keep it safe.`;

  it("ends the stream with guardrail_blocked and no [DONE] when a key is split at any offset", async () => {
    for (let cut = before.length; cut <= before.length + key.length; cut += 5) {
      const result = await collect(guard(contentStream([text.slice(0, cut), text.slice(cut)])));
      expect(result.error, `cut at ${cut}`).toMatchObject({ type: "invalid_request_error", code: "guardrail_blocked", param: null });
      expect(result.error!.message).toContain("OPENAI_API_KEY");
      expect(result.done).toBe(false);
      expect(result.content).not.toContain("sk-");
      expect(result.error!.message).not.toContain(key.slice(8));
    }
  });

  it("stores a review and ends with review_pending when the policy escalates", async () => {
    const harness: QueueHarness = await startQueueHarness();
    try {
      const queue = harness.queue();
      const config = { policies: { p: { denyList: ["project titan"], output: { DENY_LIST: { action: "escalate" } } } }, defaultPolicy: "p" };
      const stream = guardStream(depsWith(config, queue), { tenant: "stream-esc", request, stream: contentStream(["The plan for Project ", "Titan is secret."]) });
      const result = await collect(stream);
      expect(result.error).toMatchObject({ code: "review_pending", type: "permission_error" });
      expect(result.content).not.toContain("Titan");
      const [review] = await queue.list("stream-esc");
      expect(result.error!.message).toContain(review!.id);
      expect(review!.preview).toContain("Project Titan");
    } finally {
      await harness.close();
    }
  });
});

describe("pass-through", () => {
  it("keeps role, finish, usage, unknown fields, error events and [DONE] in order", async () => {
    const usage = JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
    const result = await collect(guard(upstream([chunk({ role: "assistant", content: "" }), chunk({ content: "Hello there" }), chunk({}, "stop"), usage, "[DONE]"])));
    expect(result.data.map((data) => (data === "[DONE]" ? data : Object.keys(JSON.parse(data) as object).includes("usage") ? "usage" : "chunk"))).toEqual(["chunk", "chunk", "usage", "[DONE]"]);
    expect(JSON.parse(result.data[0]!)).toMatchObject({ system_fingerprint: "fp_x", choices: [{ delta: { role: "assistant" } }] });
    expect(JSON.parse(result.data[1]!)).toMatchObject({ choices: [{ delta: { content: "Hello there" }, finish_reason: "stop" }] });
  });

  it("passes the gateway's closing cost comment on, after the held text it follows", async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`data: ${chunk({ content: "mail jane@example.org" }, "stop")}\n\n: x-gateway-cost-usd=0.000042\n\ndata: [DONE]\n\n`));
        controller.close();
      },
    });
    const text = await new Response(guard(source)).text();
    expect(text).toContain("[EMAIL_ADDRESS]");
    expect(text.indexOf(": x-gateway-cost-usd=0.000042\n\n")).toBeGreaterThan(text.indexOf("[EMAIL_ADDRESS]"));
    expect(text.endsWith(": x-gateway-cost-usd=0.000042\n\ndata: [DONE]\n\n")).toBe(true);
  });

  it("releases held text, redacted, before an upstream error event and passes the event on", async () => {
    const failure = JSON.stringify({ error: { message: "upstream died", type: "server_error", param: null, code: "upstream_error" } });
    const result = await collect(guard(upstream([chunk({ content: "mail jane@example.org" }), failure])));
    expect(result.content).toBe("mail [EMAIL_ADDRESS]");
    expect(result.error).toMatchObject({ code: "upstream_error" });
    expect(result.done).toBe(false);
  });

  it("guards streamed tool-call arguments", async () => {
    const call = (args: string, extra: Record<string, unknown> = {}) => chunk({ tool_calls: [{ index: 0, function: { arguments: args }, ...extra }] });
    const events = [call("", { id: "call_1", type: "function" }), call('{"to":"jane@exa'), call('mple.org"}'), chunk({}, "tool_calls"), "[DONE]"];
    const result = await collect(guard(upstream(events)));
    const args = result.data
      .filter((data) => data !== "[DONE]")
      .flatMap((data) => (JSON.parse(data) as { choices: Array<{ delta: { tool_calls?: Array<{ function?: { arguments?: string } }> } }> }).choices)
      .flatMap((choice) => choice.delta.tool_calls ?? [])
      .map((tool) => tool.function?.arguments ?? "")
      .join("");
    expect(args).toBe('{"to":"[EMAIL_ADDRESS]"}');
  });
});

describe("a real stream from the simulated provider", () => {
  let sim: SimProvider;
  beforeAll(async () => {
    sim = await startSimProvider({ port: 0 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const stream = async (content: string) => {
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
      body: JSON.stringify({ model: "sim-primary", stream: true, messages: [{ role: "user", content }] }),
    });
    return guardStream(depsWith(), { tenant: "t", request, stream: response.body! });
  };

  it("redacts an echoed email in the provider's own chunking", async () => {
    const result = await collect(await stream("my address is jane.doe@example.org thanks"));
    expect(result.content).toContain("my address is [EMAIL_ADDRESS] thanks");
    expect(result.content).not.toContain("example.org");
    expect(result.done).toBe(true);
  });

  it("blocks an echoed secret that the provider split into 16-character slices", async () => {
    const result = await collect(await stream(`key ${fakeKeys.anthropic}`));
    expect(result.error).toMatchObject({ code: "guardrail_blocked" });
    expect(result.content).not.toContain("sk-ant");
    expect(result.done).toBe(false);
  });
});
