// GET /metrics and the audit stream: the endpoint is guarded by METRICS_TOKEN, speaks Prometheus
// text, and its counters move as requests flow (requests, latency, a cache hit, a fallback, a
// guardrail block, tokens and cost, jobs, breaker states); every request leaves one redacted audit
// record in the Redis stream.
import { beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../dev/ports";
import { finishedJob } from "../jobs/support";
import { ask, chat, fault, resetSim, simCalls, stack } from "../support";
import { auditRecords, metrics, scrape, value } from "./support";

const NONCE = Math.random().toString(36).slice(2, 10);
const CHAT = "/v1/chat/completions";
const requestsOf = (model: string, status = "200") => `llm_edge_requests_total{route="${CHAT}",status="${status}",model="${model}",tenant="tenant-a"}`;

/** Polls /metrics until `ready` holds for the scraped samples (writes land in the background). */
async function metricsUntil(ready: (samples: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
  let samples = new Map<string, number>();
  await waitFor(async () => ready((samples = await metrics())), 10_000, what);
  return samples;
}

beforeEach(async () => {
  await resetSim();
});

describe("GET /metrics", () => {
  it("needs the metrics token: 401 without it or with a wrong one (OpenAI-style), 200 Prometheus text with it", async () => {
    const missing = await scrape("");
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
    const wrong = await scrape("not-the-token");
    expect(wrong.status).toBe(401);
    // A tenant's API key is not a metrics token.
    expect((await scrape(stack.apiKey)).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await ok.text();
    expect(text).toContain("# TYPE llm_edge_requests_total counter");
    expect(text).toContain("# TYPE llm_edge_request_duration_seconds histogram");
  });

  it("counts requests, latency, upstream attempts, tokens and cost after N requests", async () => {
    const before = await metrics();
    const n = 4;
    for (let i = 0; i < n; i++) expect((await chat(ask("t-obs", `Count me ${i} ${NONCE}`))).status).toBe(200);
    const after = await metricsUntil((samples) => value(samples, requestsOf("t-obs")) - value(before, requestsOf("t-obs")) >= n, "the request counter");
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(delta(requestsOf("t-obs"))).toBe(n);
    expect(delta('llm_edge_upstream_attempts_total{model="t-obs"}')).toBe(n);
    expect(delta('llm_edge_guardrail_verdicts_total{direction="input",verdict="pass"}')).toBeGreaterThanOrEqual(n);
    expect(delta('llm_edge_tokens_total{model="t-obs",direction="input"}')).toBeGreaterThan(0);
    expect(delta('llm_edge_tokens_total{model="t-obs",direction="output"}')).toBeGreaterThan(0);
    expect(delta('llm_edge_cost_usd_total{model="t-obs",tenant="tenant-a"}')).toBeGreaterThan(0);
    expect(delta(`llm_edge_request_duration_seconds_count{route="${CHAT}"}`)).toBeGreaterThanOrEqual(n);
    expect(value(after, `llm_edge_request_duration_seconds_bucket{route="${CHAT}",le="+Inf"}`)).toBe(value(after, `llm_edge_request_duration_seconds_count{route="${CHAT}"}`));
    expect(await simCalls("t-obs-a")).toEqual({ "t-obs-a": n });
  });

  it("counts a streamed answer's tokens and cost (its usage chunk and closing cost comment) in the metrics and its audit record", async () => {
    const tokensIn = 'llm_edge_tokens_total{model="t-obs",direction="input"}';
    const costOf = 'llm_edge_cost_usd_total{model="t-obs",tenant="tenant-a"}';
    const before = await metrics();
    const response = await chat(ask("t-obs", `Stream me ${NONCE}`, { stream: true, stream_options: { include_usage: true } }));
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain("x-gateway-cost-usd=");
    const traceId = response.headers.get("x-gateway-trace-id")!;
    const after = await metricsUntil((samples) => value(samples, costOf) > value(before, costOf), "the streamed answer's cost");
    expect(value(after, tokensIn) - value(before, tokensIn)).toBeGreaterThan(0);
    let records: Array<Record<string, string>> = [];
    await waitFor(async () => (records = await auditRecords(traceId)).length > 0, 10_000, "the audit record");
    expect(records[0]).toMatchObject({ model: "t-obs", stream: "true" });
    expect(Number(records[0]!.tokensIn)).toBeGreaterThan(0);
    expect(Number(records[0]!.costUsd)).toBeGreaterThan(0);
  });

  it("counts a cache miss then a hit", async () => {
    const before = await metrics();
    const body = ask("t-obs-cache", `Cache me ${NONCE}`);
    expect((await chat(body)).headers.get("x-gateway-cache")).toMatch(/^MISS/);
    // The store runs in the background: ask again until the answer comes from the cache.
    await waitFor(async () => ((await chat(body)).headers.get("x-gateway-cache") ?? "").startsWith("HIT"), 10_000, "a cache hit");
    const hit = 'llm_edge_cache_lookups_total{model="t-obs-cache",result="hit"}';
    const after = await metricsUntil((samples) => value(samples, hit) > value(before, hit), "the cache hit counter");
    expect(value(after, hit) - value(before, hit)).toBe(1);
    expect(value(after, 'llm_edge_cache_lookups_total{model="t-obs-cache",result="miss"}')).toBeGreaterThan(value(before, 'llm_edge_cache_lookups_total{model="t-obs-cache",result="miss"}'));
  });

  it("counts a fallback when the first target fails, with its two upstream attempts", async () => {
    await fault({ model: "t-obs-fb-a", status: 503, times: 1 });
    const before = await metrics();
    const response = await chat(ask("t-obs-fb", `Fall back ${NONCE}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-gateway-fallback-index")).toBe("1");
    const fallbacks = 'llm_edge_fallbacks_total{model="t-obs-fb"}';
    const after = await metricsUntil((samples) => value(samples, fallbacks) > value(before, fallbacks), "the fallback counter");
    expect(value(after, fallbacks) - value(before, fallbacks)).toBe(1);
    expect(value(after, 'llm_edge_upstream_attempts_total{model="t-obs-fb"}') - value(before, 'llm_edge_upstream_attempts_total{model="t-obs-fb"}')).toBe(2);
  });

  it("counts a guardrail block under its status, and no upstream call", async () => {
    const before = await metrics();
    const response = await chat(ask("t-obs", `Tell me about project-zeus ${NONCE}`));
    expect(response.status).toBe(400);
    const blocked = 'llm_edge_guardrail_verdicts_total{direction="input",verdict="block"}';
    const after = await metricsUntil((samples) => value(samples, blocked) > value(before, blocked), "the block counter");
    expect(value(after, blocked) - value(before, blocked)).toBe(1);
    expect(value(after, requestsOf("t-obs", "400")) - value(before, requestsOf("t-obs", "400"))).toBe(1);
  });

  it("labels unknown aliases and unconfigured tenants as other, so cardinality stays bounded", async () => {
    const response = await chat(ask(`no-such-model-${NONCE}`, "Hi"));
    expect(response.status).toBe(404);
    const series = `llm_edge_requests_total{route="${CHAT}",status="404",model="other",tenant="tenant-a"}`;
    const after = await metricsUntil((samples) => value(samples, series) > 0, "the other-model counter");
    expect([...after.keys()].some((key) => key.includes(NONCE))).toBe(false);
  });

  it("counts a job created and, once, the job finished", async () => {
    const before = await metrics();
    const created = await fetch(`${stack.edgeUrl}/v1/jobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ kind: "fanout", branches: [{ model: "t-obs-job", messages: [{ role: "user", content: `Count my job ${NONCE}` }] }] }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    expect((await finishedJob(id)).status).toBe("succeeded");
    await finishedJob(id); // a second read of the finished job must not count it again
    const createdSeries = 'llm_edge_jobs_total{kind="fanout",state="created"}';
    const succeeded = 'llm_edge_jobs_total{kind="fanout",state="succeeded"}';
    const after = await metricsUntil((samples) => value(samples, succeeded) > value(before, succeeded), "the finished-job counter");
    expect(value(after, createdSeries) - value(before, createdSeries)).toBe(1);
    expect(value(after, succeeded) - value(before, succeeded)).toBe(1);
  });

  it("reports breaker states read from the gateway at scrape time", async () => {
    expect((await chat(ask("t-obs", `Warm the breaker ${NONCE}`))).status).toBe(200);
    const samples = await metrics();
    expect(value(samples, 'llm_edge_circuit_breaker_state{target="sim/t-obs-a",state="closed"}')).toBe(1);
    expect(value(samples, 'llm_edge_circuit_breaker_state{target="sim/t-obs-a",state="open"}')).toBe(0);
  });
});

describe("audit stream", () => {
  it("appends one redacted record per request: tenant, key id, route, model, target, verdicts, tokens, cost, trace id", async () => {
    const email = `audit.${NONCE}@example.com`;
    const response = await chat(ask("t-obs-echo", `Mail me at ${email}`));
    expect(response.status).toBe(200);
    const traceId = response.headers.get("x-gateway-trace-id")!;
    let records: Array<Record<string, string>> = [];
    await waitFor(async () => (records = await auditRecords(traceId)).length > 0, 10_000, "the audit record");
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({ tenant: "tenant-a", method: "POST", route: CHAT, status: "200", model: "t-obs-echo", target: "sim/t-obs-echo-a", attempts: "1", fallbackIndex: "0", traceId });
    expect(record.keyId).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(record.guardrail).toMatch(/^input=pass; output=redact\(EMAIL_ADDRESS\)$/);
    expect(Number(record.tokensIn)).toBeGreaterThan(0);
    expect(Number(record.costUsd)).toBeGreaterThan(0);
    expect(new Date(record.ts!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const text = JSON.stringify(record);
    expect(text).not.toContain(email);
    expect(text).not.toContain(stack.apiKey);
  });

  it("records refusals too: an unauthenticated call is audited with its status and error code, never the key", async () => {
    const badKey = `sk-wrong-${NONCE}`;
    const response = await fetch(`${stack.edgeUrl}${CHAT}`, { method: "POST", headers: { authorization: `Bearer ${badKey}`, "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(401);
    const traceId = response.headers.get("x-gateway-trace-id")!;
    let records: Array<Record<string, string>> = [];
    await waitFor(async () => (records = await auditRecords(traceId)).length > 0, 10_000, "the audit record");
    expect(records[0]).toMatchObject({ tenant: "none", status: "401", code: "invalid_api_key", route: "/v1/*" });
    expect(JSON.stringify(records[0])).not.toContain(badKey);
  });
});
