// One step of one record, the same for both delivery paths (the cron drain of the intake streams and
// the queue consumer): dead-letter it when it cannot be read, start an attempt
// as a fan-out job with an id derived from the record, or look at the running job and settle the
// result (result stream + hash, then ack), schedule a retry with backoff, or dead-letter it after the
// last attempt.
import type { FanoutRpc } from "@llm-edge/shared";
import type { EnrichmentConfig } from "@llm-edge/shared/enrich-config";
import { enrichJobId, enrichJobSpec, jobOutcome } from "./job";
import { attemptsExhausted, backoffDelayMs, nextStep, templateFor, withError, type ParsedEntry, type RecordState } from "./record";
import type { EnrichStore, Settlement } from "./store";

export interface AdvanceDeps {
  store: EnrichStore;
  fanout: FanoutRpc;
  config: EnrichmentConfig;
  traceparent: string;
  now: () => number;
  random?: () => number;
}

/** What happened to a record in this step; "started", "running" and "waiting" leave its entry pending. */
export type StepOutcome =
  | { outcome: "done" | "dead_lettered" | "malformed" | "acked" | "duplicate" }
  | { outcome: "started" | "running"; jobId: string }
  | { outcome: "retry_scheduled" | "waiting"; until: number };

/** Calls a step makes at most (Redis + RPC), for the run's subrequest budget. */
export const STEP_SUBREQUESTS = 3;

export interface AdvanceInput {
  tenant: string;
  /** The intake stream entry the record came in; undefined for a record the queue delivered. */
  entryId: string | undefined;
  parsed: ParsedEntry;
  /** The record's hash as read, undefined when it has none yet. */
  state: RecordState | undefined;
}

function deadLetter(input: AdvanceInput, id: string, reason: string, state: RecordState | undefined, extra: Record<string, string>, now: number): Settlement {
  return {
    status: "dead_lettered",
    hash: { reason, errors: JSON.stringify(state?.errors ?? []), ...(state ? {} : { kind: extra.kind === "event" ? "event" : "record", body: input.parsed.body, enqueuedAt: String(now), attempts: "0" }) },
    entry: { id, reason, attempts: String(state?.attempts ?? 0), errors: JSON.stringify(state?.errors ?? []), body: input.parsed.body, ...(input.entryId ? { sourceEntryId: input.entryId } : {}), at: String(now), ...extra },
  };
}

/** Advances one record by one step. Throws only when Redis or the fanout Worker cannot be reached. */
export async function advanceRecord(deps: AdvanceDeps, input: AdvanceInput): Promise<StepOutcome> {
  const { store, config } = deps;
  const { tenant } = input;
  const now = deps.now();
  const { parsed } = input;
  if (!parsed.ok) {
    // A malformed entry must not take over the hash of a live record that happens to share its id.
    const id = input.state && input.state.entryId !== input.entryId ? `e${input.entryId}` : parsed.id;
    await store.settle(tenant, id, input.entryId, deadLetter(input, id, parsed.reason, undefined, { kind: "malformed" }, now), now);
    return { outcome: "malformed" };
  }
  const { entry, id } = parsed;
  const template = templateFor(entry, config);
  const type = entry.kind === "event" ? entry.body.type : "";
  if (!template.ok) {
    await store.settle(tenant, id, input.entryId, deadLetter(input, id, template.reason, input.state, { kind: entry.kind, type }, now), now);
    return { outcome: "malformed" };
  }
  let state = input.state;
  if (!state) {
    // Only a directly XADDed entry arrives without a hash; a queue message whose hash is gone has nothing left to do.
    if (input.entryId === undefined) return { outcome: "acked" };
    const owner = await store.adopt(tenant, id, { kind: entry.kind, template: template.name, type, body: parsed.body, enqueuedAt: parsed.enqueuedAt }, input.entryId);
    if (owner !== input.entryId) {
      await store.ack(tenant, input.entryId);
      return { outcome: "duplicate" };
    }
    state = { kind: entry.kind, status: "queued", attempts: 0, attemptsBase: 0, errors: [], template: template.name, enqueuedAt: parsed.enqueuedAt };
  }
  const templateConfig = config.templates[template.name]!;
  const step = nextStep(state, input.entryId, now, config.maxAttempts);
  const meta = { kind: entry.kind, type, template: template.name };

  if (step.step === "ack") {
    await store.ack(tenant, input.entryId);
    return { outcome: step.why === "duplicate" ? "duplicate" : "acked" };
  }
  if (step.step === "wait") return { outcome: "waiting", until: step.until };
  if (step.step === "dead_letter") {
    await store.settle(tenant, id, input.entryId, deadLetter(input, id, `gave up after ${state.attempts - state.attemptsBase} attempts`, state, meta, now), now);
    return { outcome: "dead_lettered" };
  }
  const spec = () => enrichJobSpec(id, entry, templateConfig);
  if (step.step === "start") {
    const jobId = enrichJobId(id, step.attempt);
    await store.startAttempt(tenant, id, step.attempt, jobId, now);
    await deps.fanout.createJob({ traceparent: deps.traceparent }, { tenant, spec: spec(), id: jobId });
    return { outcome: "started", jobId };
  }

  const job = await deps.fanout.getJob({ traceparent: deps.traceparent }, { tenant, id: step.jobId });
  if (!job) {
    // Marked running but the job was never created (a crash in between): create it now, same id.
    await deps.fanout.createJob({ traceparent: deps.traceparent }, { tenant, spec: spec(), id: step.jobId });
    return { outcome: "started", jobId: step.jobId };
  }
  const outcome = jobOutcome(job, templateConfig);
  if (outcome.state === "running") return { outcome: "running", jobId: step.jobId };
  if (outcome.state === "succeeded") {
    await store.settle(tenant, id, input.entryId, {
      status: "done",
      hash: { result: JSON.stringify(outcome.result), errors: JSON.stringify(state.errors) },
      entry: { id, ...meta, jobId: step.jobId, attempts: String(step.attempt), enqueuedAt: String(state.enqueuedAt ?? parsed.enqueuedAt), finishedAt: String(now), result: JSON.stringify(outcome.result) },
    }, now);
    return { outcome: "done" };
  }
  const failed = { ...state, attempts: step.attempt, errors: withError(state.errors, { attempt: step.attempt, message: outcome.error, at: now }) };
  if (attemptsExhausted(failed, config.maxAttempts)) {
    await store.settle(tenant, id, input.entryId, deadLetter(input, id, `failed ${failed.attempts - failed.attemptsBase} attempts; last: ${outcome.error}`, failed, meta, now), now);
    return { outcome: "dead_lettered" };
  }
  const until = now + backoffDelayMs(failed.attempts - failed.attemptsBase, config.backoff, deps.random);
  await store.failAttempt(tenant, id, failed.errors, until, now);
  return { outcome: "retry_scheduled", until };
}

/**
 * Dead-letters a record that is not settled yet, with `reason` and the errors its hash holds (the
 * queue's dead-letter consumer: deliveries kept failing). A record already done or dead-lettered is
 * left as it is (→ false).
 */
export async function giveUpRecord(deps: Pick<AdvanceDeps, "store" | "now">, input: AdvanceInput & { state: RecordState }, reason: string): Promise<boolean> {
  const { state } = input;
  const now = deps.now();
  const id = input.parsed.id;
  return deps.store.settle(input.tenant, id, input.entryId, deadLetter(input, id, reason, state, { kind: state.kind, type: state.type ?? "", template: state.template ?? "" }, now), now);
}
