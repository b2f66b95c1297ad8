// The metrics module: series names, histogram increments and the Prometheus text renderer, and the
// RPC logger that continues a caller's trace (shared/log.ts rpcLogger, loggedCall).
import { describe, expect, it } from "vitest";
import { createLogger, loggedCall, rpcLogger } from "../../shared/log";
import { LATENCY_BUCKETS_SECONDS, METRIC_FAMILIES, counterIncrement, histogramIncrements, renderPrometheus, seriesName } from "../../shared/metrics";
import { formatTraceparent, startSpan } from "../../shared/trace";

/** Folds increments the way HINCRBY/HINCRBYFLOAT do in the metrics hash. */
function fold(increments: Array<{ field: string; by: number }>, into: Record<string, number> = {}): Record<string, number> {
  for (const { field, by } of increments) into[field] = (into[field] ?? 0) + by;
  return into;
}

/** The value of one sample line of a Prometheus text body, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metric series", () => {
  it("renders labels in order and escapes quotes, backslashes and newlines in values", () => {
    expect(seriesName("m", { a: "x", b: 'say "hi"\\\n' })).toBe('m{a="x",b="say \\"hi\\"\\\\\\n"}');
    expect(seriesName("m")).toBe("m");
  });

  it("puts an observation in exactly one bucket (the first bound at or above it, +Inf past the last)", () => {
    const [bucket, sum, count] = histogramIncrements(METRIC_FAMILIES.requestDuration, { route: "/r" }, 0.07);
    expect(bucket!.field).toBe('llm_edge_request_duration_seconds_bucket{route="/r",le="0.1"}');
    expect(sum).toEqual({ field: 'llm_edge_request_duration_seconds_sum{route="/r"}', by: 0.07 });
    expect(count!.by).toBe(1);
    expect(histogramIncrements(METRIC_FAMILIES.requestDuration, {}, 1_000)[0]!.field).toBe('llm_edge_request_duration_seconds_bucket{le="+Inf"}');
  });
});

describe("renderPrometheus", () => {
  it("prints HELP and TYPE for every family and the stored counters by series", () => {
    const stored = fold([counterIncrement(METRIC_FAMILIES.requests, { route: "/v1/chat/completions", status: "200", model: "default", tenant: "a" }, 3), counterIncrement(METRIC_FAMILIES.cost, { model: "default", tenant: "a" }, 0.000125)]);
    const text = renderPrometheus(stored);
    for (const family of Object.values(METRIC_FAMILIES)) {
      expect(text).toContain(`# HELP ${family.name} `);
      expect(text).toContain(`# TYPE ${family.name} ${family.type}\n`);
    }
    expect(sample(text, 'llm_edge_requests_total{route="/v1/chat/completions",status="200",model="default",tenant="a"}')).toBe(3);
    expect(sample(text, 'llm_edge_cost_usd_total{model="default",tenant="a"}')).toBeCloseTo(0.000125, 12);
  });

  it("makes histogram buckets cumulative up to +Inf, with sum and count", () => {
    const stored: Record<string, number> = {};
    for (const seconds of [0.003, 0.07, 0.08, 3]) fold(histogramIncrements(METRIC_FAMILIES.requestDuration, { route: "/x" }, seconds), stored);
    const text = renderPrometheus(stored);
    const bucket = (le: string) => sample(text, `llm_edge_request_duration_seconds_bucket{route="/x",le="${le}"}`);
    expect(bucket("0.005")).toBe(1);
    expect(bucket("0.05")).toBe(1);
    expect(bucket("0.1")).toBe(3);
    expect(bucket("2.5")).toBe(3);
    expect(bucket("5")).toBe(4);
    expect(bucket("+Inf")).toBe(4);
    expect(text.match(/llm_edge_request_duration_seconds_bucket\{route="\/x"/g)).toHaveLength(LATENCY_BUCKETS_SECONDS.length + 1);
    expect(sample(text, 'llm_edge_request_duration_seconds_count{route="/x"}')).toBe(4);
    expect(sample(text, 'llm_edge_request_duration_seconds_sum{route="/x"}')).toBeCloseTo(3.153, 9);
  });

  it("adds scrape-time gauges and note lines, and ignores fields of no known family", () => {
    const text = renderPrometheus({ "some_other_metric": 5 }, [{ family: METRIC_FAMILIES.breakerState, labels: { target: "sim/a", state: "open" }, value: 1 }], ["metrics store unavailable"]);
    expect(text.startsWith("# metrics store unavailable\n")).toBe(true);
    expect(sample(text, 'llm_edge_circuit_breaker_state{target="sim/a",state="open"}')).toBe(1);
    expect(text).not.toContain("some_other_metric");
  });
});

describe("rpcLogger and loggedCall", () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, root: createLogger({ worker: "cache" }, (line) => lines.push(line)) };
  };

  it("at debug: continues the caller's trace with a fresh span and logs one line per call with its summary", async () => {
    const { lines, root } = capture();
    const caller = startSpan();
    const log = rpcLogger(root, formatTraceparent(caller), "lookup", "debug");
    await expect(loggedCall(log, async () => ({ status: "MISS" }), (result) => ({ status: result.status }))).resolves.toEqual({ status: "MISS" });
    const line = JSON.parse(lines[0]!);
    expect(lines).toHaveLength(1);
    expect(line).toMatchObject({ level: "debug", message: "rpc done", worker: "cache", rpc: "lookup", traceId: caller.traceId, parentSpanId: caller.spanId, status: "MISS" });
    expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(line.spanId).not.toBe(caller.spanId);
  });

  it("at info (the default): a call that succeeds writes nothing, one that fails writes its warning", async () => {
    const { lines, root } = capture();
    const log = rpcLogger(root, formatTraceparent(startSpan()), "lookup", "info");
    let summarized = 0;
    await loggedCall(log, async () => ({ status: "MISS" }), (result) => ({ status: result.status, calls: ++summarized }));
    expect(lines).toEqual([]);
    expect(summarized).toBe(0); // the summary is not even built
    await expect(loggedCall(log, async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ level: "warn", message: "rpc failed", rpc: "lookup" }]);
  });

  it("starts a new trace for a malformed traceparent and logs a failure (redacted) before rethrowing it", async () => {
    const { lines, root } = capture();
    const log = rpcLogger(root, "not-a-traceparent", "chat", "info");
    await expect(loggedCall(log, async () => Promise.reject(new Error("upstream refused key sk-live-abcdef123456")))).rejects.toThrow("upstream refused");
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: "warn", message: "rpc failed", rpc: "chat" });
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.parentSpanId).toBeUndefined();
    expect(lines[0]).not.toContain("sk-live-abcdef123456");
  });
});
