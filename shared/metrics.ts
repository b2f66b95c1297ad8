// Platform metrics: the metric families (names, help, types), the latency histogram's buckets, the
// Redis hash fields that hold counters aggregated across isolates, and the Prometheus text renderer
// for GET /metrics. Writers add to fields of one Redis hash (HINCRBY / HINCRBYFLOAT); a scrape reads
// the hash once (HGETALL) and renders it, adding gauges read at scrape time (breaker states).

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
}

/** Every metric family the platform exports, in the order /metrics prints them. */
export const METRIC_FAMILIES = {
  requests: { name: "llm_edge_requests_total", type: "counter", help: "Requests answered by the edge, by route, status, model alias and tenant." },
  requestDuration: { name: "llm_edge_request_duration_seconds", type: "histogram", help: "Time from request to response headers at the edge (streams: to the first byte), by route." },
  upstreamAttempts: { name: "llm_edge_upstream_attempts_total", type: "counter", help: "Upstream provider calls, retries and fallbacks included, by model alias." },
  fallbacks: { name: "llm_edge_fallbacks_total", type: "counter", help: "Answers given by a target other than the route's first choice, by model alias." },
  breakerState: { name: "llm_edge_circuit_breaker_state", type: "gauge", help: "Circuit breaker state per target (1 for the current state), read from the gateway at scrape time." },
  cache: { name: "llm_edge_cache_lookups_total", type: "counter", help: "Semantic cache verdicts (hit, miss, bypass), by model alias." },
  guardrail: { name: "llm_edge_guardrail_verdicts_total", type: "counter", help: "Guardrail verdicts by direction (input, output) and verdict (pass, redact, block, escalate)." },
  tokens: { name: "llm_edge_tokens_total", type: "counter", help: "Tokens of upstream calls of non-stream answers, by model alias and direction (input, output)." },
  cost: { name: "llm_edge_cost_usd_total", type: "counter", help: "Cost in USD of upstream calls of non-stream answers, by model alias and tenant." },
  jobs: { name: "llm_edge_jobs_total", type: "counter", help: "Jobs created, and jobs seen finished by state, by job kind." },
} as const satisfies Record<string, MetricFamily>;

/**
 * Upper bounds (seconds) of the latency histogram's buckets: from a cache hit (a few ms) to a slow
 * model (a minute). Each observation increments one bucket field; the renderer makes them cumulative.
 */
export const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export type Labels = Record<string, string>;

/** One addition to a counter field of the metrics hash. */
export interface MetricIncrement {
  field: string;
  by: number;
}

/** The Redis hash holding every counter and histogram field, under the deployment's key prefix. */
export function metricsHashKey(keyPrefix: string): string {
  return `${keyPrefix}metrics`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * A series as Prometheus writes it, `name{a="x",b="y"}` (labels in the given order, values escaped),
 * which is also the field name in the metrics hash, so a scrape prints fields as they are stored.
 */
export function seriesName(name: string, labels: Labels = {}): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return pairs.length ? `${name}{${pairs.join(",")}}` : name;
}

/** A counter increment for one series. */
export function counterIncrement(family: MetricFamily, labels: Labels, by = 1): MetricIncrement {
  return { field: seriesName(family.name, labels), by };
}

/**
 * The increments for one histogram observation: the one bucket it falls in (non-cumulative, "+Inf"
 * past the last bound), the sum and the count. `renderPrometheus` turns buckets into cumulative ones.
 */
export function histogramIncrements(family: MetricFamily, labels: Labels, value: number, buckets: readonly number[] = LATENCY_BUCKETS_SECONDS): MetricIncrement[] {
  const bound = buckets.find((upper) => value <= upper);
  return [
    { field: seriesName(`${family.name}_bucket`, { ...labels, le: bound === undefined ? "+Inf" : String(bound) }), by: 1 },
    { field: seriesName(`${family.name}_sum`, labels), by: value },
    { field: seriesName(`${family.name}_count`, labels), by: 1 },
  ];
}

/** A gauge value read at scrape time. */
export interface GaugeSample {
  family: MetricFamily;
  labels: Labels;
  value: number;
}

const SERIES = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/;

function familyOf(field: string): { family: MetricFamily; suffix: string } | undefined {
  const name = SERIES.exec(field)?.[1];
  if (!name) return undefined;
  for (const family of Object.values(METRIC_FAMILIES)) {
    if (name === family.name) return { family, suffix: "" };
    if (family.type === "histogram" && name.startsWith(`${family.name}_`)) return { family, suffix: name.slice(family.name.length + 1) };
  }
  return undefined;
}

/** Splits `name{…,le="0.5"}` into the series without `le` and the bound. */
function bucketParts(field: string): { key: string; le: number } | undefined {
  const match = /^(.*?)(?:,)?le="([^"]+)"\}$/.exec(field);
  if (!match) return undefined;
  const head = match[1]!.endsWith("{") ? match[1]!.slice(0, -1) : `${match[1]}}`;
  return { key: head, le: match[2] === "+Inf" ? Infinity : Number(match[2]) };
}

function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

function renderHistogram(family: MetricFamily, fields: Array<[string, number]>, lines: string[]): void {
  const buckets = new Map<string, Map<number, number>>();
  const rest: Array<[string, number]> = [];
  for (const [field, value] of fields) {
    const parts = field.includes("_bucket") ? bucketParts(field) : undefined;
    if (!parts) {
      rest.push([field, value]);
      continue;
    }
    const series = buckets.get(parts.key) ?? new Map<number, number>();
    series.set(parts.le, (series.get(parts.le) ?? 0) + value);
    buckets.set(parts.key, series);
  }
  for (const [key, counts] of [...buckets].sort(([a], [b]) => a.localeCompare(b))) {
    const open = key.indexOf("{");
    const labels = open === -1 ? "" : key.slice(open + 1, -1);
    let total = 0;
    for (const bound of [...LATENCY_BUCKETS_SECONDS, Infinity]) {
      total += counts.get(bound) ?? 0;
      lines.push(`${family.name}_bucket{${labels ? `${labels},` : ""}le="${formatValue(bound)}"} ${total}`);
    }
  }
  for (const [field, value] of rest.sort(([a], [b]) => a.localeCompare(b))) lines.push(`${field} ${formatValue(value)}`);
}

/**
 * Renders the stored fields (from HGETALL of the metrics hash) and the scrape-time gauges as
 * Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` per family, cumulative histogram
 * buckets with `+Inf`. `notes` become `#` comment lines at the top (e.g. the store being unavailable).
 * Fields that name no known family are ignored.
 */
export function renderPrometheus(stored: Record<string, number>, gauges: GaugeSample[] = [], notes: string[] = []): string {
  const byFamily = new Map<string, Array<[string, number]>>();
  for (const [field, value] of Object.entries(stored)) {
    const owner = familyOf(field);
    if (!owner || !Number.isFinite(value)) continue;
    const list = byFamily.get(owner.family.name) ?? [];
    list.push([field, value]);
    byFamily.set(owner.family.name, list);
  }
  for (const gauge of gauges) {
    const list = byFamily.get(gauge.family.name) ?? [];
    list.push([seriesName(gauge.family.name, gauge.labels), gauge.value]);
    byFamily.set(gauge.family.name, list);
  }
  const lines = notes.map((note) => `# ${note}`);
  for (const family of Object.values(METRIC_FAMILIES)) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    const fields = byFamily.get(family.name) ?? [];
    if (family.type === "histogram") renderHistogram(family, fields, lines);
    else for (const [field, value] of fields.sort(([a], [b]) => a.localeCompare(b))) lines.push(`${field} ${formatValue(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The capped list of per-minute snapshots the maintenance cron writes (newest first), beside the metrics hash. */
export function metricsHistoryKey(keyPrefix: string): string {
  return `${keyPrefix}metrics:history`;
}

/** The platform's headline counters, summed over their labels: what one history snapshot keeps. */
export interface MetricTotals {
  requests: number;
  /** Requests answered 4xx / 5xx. */
  clientErrors: number;
  serverErrors: number;
  upstreamAttempts: number;
  fallbacks: number;
  cacheHits: number;
  cacheMisses: number;
  tokens: number;
  costUsd: number;
  jobsCreated: number;
}

/**
 * Sums the stored fields of the metrics hash into the headline totals (counters only; histograms and
 * gauges are left out). Two snapshots a minute apart give per-minute rates by subtraction, so the
 * history stays small however many label combinations the hash holds.
 */
export function metricTotals(stored: Record<string, number>): MetricTotals {
  const totals: MetricTotals = { requests: 0, clientErrors: 0, serverErrors: 0, upstreamAttempts: 0, fallbacks: 0, cacheHits: 0, cacheMisses: 0, tokens: 0, costUsd: 0, jobsCreated: 0 };
  const { requests, upstreamAttempts, fallbacks, cache, tokens, cost, jobs } = METRIC_FAMILIES;
  for (const [field, value] of Object.entries(stored)) {
    if (!Number.isFinite(value)) continue;
    const name = SERIES.exec(field)?.[1];
    const label = (key: string) => new RegExp(`[{,]${key}="([^"]*)"`).exec(field)?.[1];
    if (name === requests.name) {
      totals.requests += value;
      const status = Number(label("status"));
      if (status >= 400 && status < 500) totals.clientErrors += value;
      if (status >= 500) totals.serverErrors += value;
    } else if (name === upstreamAttempts.name) totals.upstreamAttempts += value;
    else if (name === fallbacks.name) totals.fallbacks += value;
    else if (name === cache.name && label("result") === "hit") totals.cacheHits += value;
    else if (name === cache.name && label("result") === "miss") totals.cacheMisses += value;
    else if (name === tokens.name) totals.tokens += value;
    else if (name === cost.name) totals.costUsd += value;
    else if (name === jobs.name && label("state") === "created") totals.jobsCreated += value;
  }
  totals.costUsd = Number(totals.costUsd.toFixed(8));
  return totals;
}
