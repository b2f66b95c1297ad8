// Observation of every /v1 request, in one place: after the response is built, the facts are read
// from its status and x-gateway-* headers (plus what a route noted in the "observed" variable: the
// requested alias, non-stream token usage, a job), and the isolate's observations of the last 250 ms
// go to Upstash Redis in one pipelined request (ctx.waitUntil): metrics (shared/metrics.ts) merged by
// field, and one audit record each (audit.ts). The response never waits on it; Redis being down
// loses those figures and nothing else.
// Labels are bounded: a model label only for aliases of the config, a tenant label only for tenants
// the config names (API_KEYS, tenants.overrides); everything else is "other".
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import {
  METRIC_FAMILIES,
  counterIncrement,
  histogramIncrements,
  metricsHashKey,
  redisFromEnv,
  type ChatCompletionRequest,
  type EmbeddingsCallResult,
  type EmbeddingsRequest,
  type Logger,
  type MetricIncrement,
  type PipelineResult,
  type PlatformConfig,
} from "@llm-edge/shared";
import { afterResponse } from "./after-response";
import { answerFiguresOf, type AnswerFigures } from "./answer-figures";
import { auditFields, auditKeyId, auditMaxLen, auditStreamKey, type AuditEnv, type AuditRecord } from "./audit";
import { parseApiKeys } from "./auth";
import { edgeConfig } from "./config";
import { edgeKeyPrefix, timed } from "./limits/redis";
import type { EdgeEnv, ObservedCall } from "./types";

/** Longest the background write may take before it is given up (it never delays a response). */
const WRITE_BUDGET_MS = 2_000;
/** At most one "observation not written" warning per isolate in this interval. */
const WARN_INTERVAL_MS = 10_000;
/** How long "this job was counted finished" is remembered, so a job is counted once. */
const JOB_SEEN_TTL_SECONDS = 7 * 86_400;
const COUNT_ONCE = "if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return redis.call('HINCRBY', KEYS[2], ARGV[1], 1) end return 0";

export const OTHER = "other";

let knownTenants: { config: PlatformConfig | undefined; apiKeys: string | undefined; tenants: Set<string> } | undefined;

/** A tenant label: the tenant when the config names it, else "other". */
export function tenantLabel(tenant: string | undefined, config: PlatformConfig | undefined, apiKeys: string | undefined): string {
  if (!tenant) return "none";
  let known = knownTenants;
  if (!known || known.config !== config || known.apiKeys !== apiKeys) {
    const tenants = new Set([...parseApiKeys(apiKeys).map((entry) => entry.tenant), ...Object.keys(config?.tenants.overrides ?? {})]);
    known = knownTenants = { config, apiKeys, tenants };
  }
  return known.tenants.has(tenant) ? tenant : OTHER;
}

/** A model label: a routed alias of the config, else "other" ("none" when the request named none). */
export function modelLabel(alias: string | undefined, config: PlatformConfig | undefined): string {
  if (!alias) return "none";
  return config && Object.hasOwn(config.routes, alias) ? alias : OTHER;
}

/** "input=pass; output=redact(EMAIL_ADDRESS)" → [["input","pass"],["output","redact"]]; finding types stay in the audit record. */
export function guardrailVerdicts(header: string | null): Array<[string, string]> {
  if (!header || header === "off") return [];
  return header.split("; ").flatMap((part) => {
    const match = /^(input|output)=([a-z]+)/.exec(part);
    return match ? [[match[1]!, match[2]!] as [string, string]] : [];
  });
}

/** The cache verdict of x-gateway-cache as a label: hit, miss or bypass; undefined when the cache was not reached. */
export function cacheResult(header: string | null): string | undefined {
  if (!header || header.includes("reason=not_reached")) return undefined;
  const verdict = header.slice(0, header.indexOf(";") === -1 ? undefined : header.indexOf(";")).toLowerCase();
  return verdict === "hit" || verdict === "miss" || verdict === "bypass" ? verdict : undefined;
}

/** What the chat route notes: the alias, streaming, and a non-stream answer's usage. */
export function observedChat(request: ChatCompletionRequest, result: PipelineResult): ObservedCall {
  const usage = result.ok && "completion" in result ? result.completion.usage : undefined;
  return { model: request.model, ...(request.stream ? { stream: true } : {}), ...(usage ? { usage } : {}) };
}

/** What the embeddings route notes: the alias and the input tokens. */
export function observedEmbeddings(request: EmbeddingsRequest, result: EmbeddingsCallResult): ObservedCall {
  const usage = result.ok ? result.response.usage : undefined;
  return { model: request.model, ...(usage ? { usage: { prompt_tokens: usage.prompt_tokens } } : {}) };
}

/** What one finished request was, read synchronously from the context and the response headers. */
export interface RequestFacts {
  record: AuditRecord;
  increments: MetricIncrement[];
  job?: { id: string; kind: string; state: string };
  storedKeyId?: string;
  presentedKey?: string;
  errorBody?: Promise<string | undefined>;
  /** A streamed answer's tokens and cost, read from a copy of the stream as it reaches the client. */
  streamFigures?: { labels: { model: string; tenant: string }; figures: Promise<AnswerFigures | undefined> };
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** What must be read from the answer before it goes out: a copy of an error's JSON body, a stream's tokens and cost. */
interface AnswerCopies {
  errorBody?: Promise<string | undefined>;
  streamFigures?: Promise<AnswerFigures | undefined>;
}

/** Takes the answer's copies (synchronously, while the response is still the middleware's to change). */
function answerCopies(c: Context<EdgeEnv>): AnswerCopies {
  const response = c.res;
  const streamed = c.get("observed")?.stream && response.status === 200 && response.body;
  return {
    ...(response.status >= 400 && (response.headers.get("content-type") ?? "").includes("json") ? { errorBody: response.clone().text().catch(() => undefined) } : {}),
    ...(streamed ? { streamFigures: answerFiguresOf(c) } : {}),
  };
}

/** Builds the metrics increments and the audit record of a request that finished at `finished` (no I/O). */
export function requestFacts(c: Context<EdgeEnv>, timing: { started: number; finished: number }, copies: AnswerCopies): RequestFacts {
  const { started, finished } = timing;
  const response = c.res;
  const headers = response.headers;
  const config = edgeConfig(c.env);
  const observed: ObservedCall = c.get("observed") ?? {};
  const route = routePath(c) || "unmatched";
  const status = String(response.status);
  const alias = observed.model ?? headers.get("x-gateway-route") ?? undefined;
  const model = modelLabel(alias, config);
  const tenant = c.get("tenant");
  const seconds = Math.max(0, finished - started) / 1000;
  const attempts = numberHeader(headers, "x-gateway-attempts");
  const fallbackIndex = numberHeader(headers, "x-gateway-fallback-index");
  const costUsd = numberHeader(headers, "x-gateway-cost-usd");
  const cache = headers.get("x-gateway-cache");
  const guardrail = headers.get("x-gateway-guardrail");
  const { requests, requestDuration, upstreamAttempts, fallbacks, cache: cacheFamily, guardrail: guardrailFamily, tokens, cost, jobs } = METRIC_FAMILIES;

  const increments: MetricIncrement[] = [
    counterIncrement(requests, { route, status, model, tenant: tenantLabel(tenant, config, c.env.API_KEYS) }),
    ...histogramIncrements(requestDuration, { route }, seconds),
  ];
  if (attempts) increments.push(counterIncrement(upstreamAttempts, { model }, attempts));
  if (fallbackIndex) increments.push(counterIncrement(fallbacks, { model }));
  const cacheVerdict = cacheResult(cache);
  if (cacheVerdict) increments.push(counterIncrement(cacheFamily, { model, result: cacheVerdict }));
  for (const [direction, verdict] of guardrailVerdicts(guardrail)) increments.push(counterIncrement(guardrailFamily, { direction, verdict }));
  const usage = attempts ? observed.usage : undefined;
  if (usage) {
    increments.push(counterIncrement(tokens, { model, direction: "input" }, usage.prompt_tokens));
    if (usage.completion_tokens) increments.push(counterIncrement(tokens, { model, direction: "output" }, usage.completion_tokens));
  }
  if (costUsd) increments.push(counterIncrement(cost, { model, tenant: tenantLabel(tenant, config, c.env.API_KEYS) }, costUsd));
  if (observed.job?.state === "created") increments.push(counterIncrement(jobs, { kind: observed.job.kind, state: "created" }));

  const provider = headers.get("x-gateway-provider");
  const upstreamModel = headers.get("x-gateway-model");
  const record: AuditRecord = {
    ts: new Date(started).toISOString(),
    traceId: c.get("trace")?.traceId ?? "",
    tenant: tenant ?? "none",
    keyId: "",
    method: c.req.method,
    route,
    status,
    model,
    ...(provider && upstreamModel ? { target: `${provider}/${upstreamModel}` } : {}),
    ...(attempts !== undefined ? { attempts: String(attempts) } : {}),
    ...(fallbackIndex !== undefined ? { fallbackIndex: String(fallbackIndex) } : {}),
    ...(headers.get("x-gateway-skipped") ? { skipped: headers.get("x-gateway-skipped")! } : {}),
    ...(cache ? { cache } : {}),
    ...(guardrail ? { guardrail } : {}),
    ...(headers.get("x-gateway-review-id") ? { reviewId: headers.get("x-gateway-review-id")! } : {}),
    ...(observed.job ? { jobId: observed.job.id } : {}),
    ...(usage ? { tokensIn: String(usage.prompt_tokens), tokensOut: String(usage.completion_tokens ?? 0) } : {}),
    ...(costUsd !== undefined ? { costUsd: costUsd.toFixed(8) } : {}),
    ...(observed.stream ? { stream: "true" } : {}),
    durationMs: String(Math.round(seconds * 1000)),
  };
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  const storedKeyId = c.get("apiKey")?.id;
  return {
    record,
    increments,
    ...(observed.job && observed.job.state !== "created" ? { job: observed.job } : {}),
    ...(storedKeyId ? { storedKeyId } : {}),
    ...(bearer ? { presentedKey: bearer } : {}),
    ...(copies.errorBody ? { errorBody: copies.errorBody } : {}),
    ...(copies.streamFigures ? { streamFigures: { labels: { model, tenant: tenantLabel(tenant, config, c.env.API_KEYS) }, figures: copies.streamFigures } } : {}),
  };
}

/** The metrics and audit fields of a streamed answer's figures. */
function streamedFacts(labels: { model: string; tenant: string }, figures: AnswerFigures): { increments: MetricIncrement[]; record: Partial<AuditRecord> } {
  const { tokens, cost } = METRIC_FAMILIES;
  const increments: MetricIncrement[] = [];
  const record: Partial<AuditRecord> = {};
  if (figures.usage) {
    increments.push(counterIncrement(tokens, { model: labels.model, direction: "input" }, figures.usage.prompt_tokens));
    if (figures.usage.completion_tokens) increments.push(counterIncrement(tokens, { model: labels.model, direction: "output" }, figures.usage.completion_tokens));
    Object.assign(record, { tokensIn: String(figures.usage.prompt_tokens), tokensOut: String(figures.usage.completion_tokens) });
  }
  if (figures.costUsd) {
    increments.push(counterIncrement(cost, labels, figures.costUsd));
    record.costUsd = figures.costUsd.toFixed(8);
  }
  return { increments, record };
}

/** The OpenAI error code of an error body, when it has one. */
function errorCode(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

let lastWarnedAt = 0;

/** How long an observation may wait so that one Redis request carries many (this isolate's, merged). */
const FLUSH_DELAY_MS = 250;
/** A flush starts at once when this many audit records wait. */
const FLUSH_RECORDS = 200;

/**
 * This isolate's observations not yet written: counter increments merged by field, audit records and
 * finished jobs. Each request's waitUntil holds the promise of the flush that will carry its
 * observation, so the runtime keeps the isolate alive until it is written.
 */
class PendingObservations {
  private increments = new Map<string, number>();
  private records: AuditRecord[] = [];
  private jobs: Array<{ id: string; field: string }> = [];
  private flushing: Promise<void> | undefined;
  private release: (() => void) | undefined;

  add(facts: RequestFacts, record: AuditRecord): void {
    for (const { field, by } of facts.increments) this.increments.set(field, (this.increments.get(field) ?? 0) + by);
    this.records.push(record);
    if (facts.job) this.jobs.push({ id: facts.job.id, field: counterIncrement(METRIC_FAMILIES.jobs, { kind: facts.job.kind, state: facts.job.state }).field });
  }

  /** The flush that will write what is pending now (started after FLUSH_DELAY_MS, or at once when many records wait). */
  flush(env: AuditEnv, log: Logger | undefined): Promise<void> {
    if (!this.flushing) {
      const delay = new Promise<void>((resolve) => {
        this.release = resolve;
        setTimeout(resolve, FLUSH_DELAY_MS);
      });
      this.flushing = delay.then(() => this.write(env, log));
    }
    if (this.records.length >= FLUSH_RECORDS) this.release?.();
    return this.flushing;
  }

  private async write(env: AuditEnv, log: Logger | undefined): Promise<void> {
    const increments = this.increments;
    const records = this.records;
    const jobs = this.jobs;
    this.increments = new Map();
    this.records = [];
    this.jobs = [];
    this.flushing = undefined;
    this.release = undefined;
    const written = await timed(WRITE_BUDGET_MS, async () => {
      const redis = redisFromEnv(env);
      const prefix = edgeKeyPrefix(env);
      const hash = metricsHashKey(prefix);
      const pipeline = redis.pipeline();
      for (const [field, by] of increments) {
        if (Number.isInteger(by)) pipeline.hincrby(hash, field, by);
        else pipeline.hincrbyfloat(hash, field, by);
      }
      for (const job of jobs) pipeline.eval(COUNT_ONCE, [`${prefix}metrics:job-finished:${job.id}`, hash], [job.field, String(JOB_SEEN_TTL_SECONDS)]);
      const trim = { trim: { type: "MAXLEN", comparison: "~", threshold: auditMaxLen(env) } } as const;
      for (const record of records) pipeline.xadd(auditStreamKey(env), "*", auditFields(record), trim);
      await pipeline.exec();
    });
    if (!written.ok && Date.now() - lastWarnedAt > WARN_INTERVAL_MS) {
      lastWarnedAt = Date.now();
      log?.warn("metrics and audit not written (Redis unavailable); further failures muted for 10 s", { reason: written.reason, records: records.length, ...(written.error ? { error: written.error } : {}) });
    }
  }
}

const pending = new PendingObservations();

/**
 * Queues the request's metrics and audit record for this isolate's next write (one pipelined Redis
 * request for every observation of the last FLUSH_DELAY_MS); resolves once it is written or given up. Never throws.
 */
export async function writeObservation(env: AuditEnv, facts: RequestFacts, log: Logger | undefined): Promise<void> {
  const [keyId, body, figures] = await Promise.all([auditKeyId(facts.storedKeyId, facts.presentedKey), facts.errorBody, facts.streamFigures?.figures]);
  const code = errorCode(body);
  const streamed = facts.streamFigures && figures ? streamedFacts(facts.streamFigures.labels, figures) : undefined;
  pending.add({ ...facts, increments: [...facts.increments, ...(streamed?.increments ?? [])] }, { ...facts.record, ...streamed?.record, keyId, ...(code ? { code } : {}) });
  await pending.flush(env, log);
}

/**
 * The /v1 middleware: observe every request. Only the copies of the answer are taken before it goes
 * out; the facts are built and queued after the response (afterResponse).
 */
export const observeRequests = createMiddleware<EdgeEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  const timing = { started, finished: Date.now() };
  const copies = answerCopies(c);
  afterResponse(c.executionCtx, () => writeObservation(c.env, requestFacts(c, timing, copies), c.get("log")));
});
