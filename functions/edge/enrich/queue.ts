// The queue consumer of enrichment, the push alternative to the cron drain: each `{tenant, id}` message
// advances its record with the same steps as the cron (advance.ts: the job id derived from the record
// and attempt, the result stored once by the settle script, retries with backoff, dead-letter after
// maxAttempts), waiting for the job within the batch's budget. Then:
// - settled (done, dead-lettered, or settled before: a redelivery) → message.ack();
// - the attempt failed and waits for its backoff → message.retry({delaySeconds});
// - the job still running when the wait is over → a fresh message after recheckDelaySeconds, then ack
//   (waiting on a long job does not use up the message's retries);
// - an error (Redis or the fanout Worker unreachable) → message.retry with backoff; after max_retries
//   the platform moves the message to the dead-letter queue, whose consumer marks the record
//   dead_lettered with the errors it holds.
import { GatewayError, createLogger, formatTraceparent, startSpan } from "@llm-edge/shared";
import type { EnrichmentConfig } from "@llm-edge/shared/enrich-config";
import { advanceRecord, giveUpRecord, STEP_SUBREQUESTS, type AdvanceDeps, type StepOutcome } from "./advance";
import { RunBudget } from "./budget";
import { enrichContext } from "./context";
import { ENRICH_DEAD_QUEUE_NAME, EnrichMessageSchema, type EnrichMessage } from "./delivery";
import { backoffDelayMs } from "./record";

/** The longest delay the platform accepts for a retry or a send (12 hours). */
const MAX_DELAY_SECONDS = 43_200;

export interface QueueDeps extends AdvanceDeps {
  queue: Queue<EnrichMessage>;
  sleep(ms: number): Promise<void>;
  onError(error: unknown, context: Record<string, unknown>): void;
}

/** What one batch did (logged as one line). */
export interface QueueReport {
  queue: string;
  messages: number;
  done: number;
  deadLettered: number;
  /** Settled before (a redelivered message) or its hash is gone: acknowledged with no work. */
  acked: number;
  /** An attempt failed: message.retry after its backoff. */
  retried: number;
  /** A job still running when the wait was over: a fresh message comes back later. */
  rechecks: number;
  malformed: number;
  failures: number;
  subrequests: number;
  durationMs: number;
}

function emptyReport(queue: string, messages: number): QueueReport {
  return { queue, messages, done: 0, deadLettered: 0, acked: 0, retried: 0, rechecks: 0, malformed: 0, failures: 0, subrequests: 0, durationMs: 0 };
}

function delaySeconds(until: number, now: number): number {
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((until - now) / 1000)));
}

type Settled = Extract<StepOutcome["outcome"], "done" | "dead_lettered" | "malformed" | "acked" | "duplicate">;
const SETTLED_COUNTER: Record<Settled, keyof QueueReport & ("done" | "deadLettered" | "malformed" | "acked")> = {
  done: "done",
  dead_lettered: "deadLettered",
  malformed: "malformed",
  acked: "acked",
  duplicate: "acked",
};

/** Advances one message's record until it settles, must wait for a backoff, or the budget is spent. */
async function deliver(deps: QueueDeps, config: EnrichmentConfig, budget: RunBudget, message: Message<unknown>, report: QueueReport): Promise<void> {
  const body = EnrichMessageSchema.safeParse(message.body);
  if (!body.success) {
    // Nothing can ever make this message valid: acknowledged so it does not go round to the dead-letter queue.
    deps.onError(new Error(`malformed enrichment message: ${body.error.issues[0]?.message ?? "invalid"}`), { messageId: message.id });
    report.malformed += 1;
    message.ack();
    return;
  }
  const { tenant, id } = body.data;
  try {
    for (;;) {
      budget.spend(1 + STEP_SUBREQUESTS);
      const record = await deps.store.delivered(tenant, id);
      const outcome: StepOutcome = record ? await advanceRecord(deps, { tenant, entryId: undefined, ...record }) : { outcome: "acked" };
      if (outcome.outcome === "started" || outcome.outcome === "running") {
        // A job is working on it: look again after pollMs while the batch's budget allows, else come back later.
        if (budget.timeLeftMs() > config.queue.pollMs && budget.allows(1 + STEP_SUBREQUESTS + 1)) {
          await deps.sleep(config.queue.pollMs);
          continue;
        }
        budget.spend();
        await deps.queue.send({ tenant, id }, { delaySeconds: config.queue.recheckDelaySeconds, contentType: "json" });
        message.ack();
        report.rechecks += 1;
        return;
      }
      if (outcome.outcome === "retry_scheduled" || outcome.outcome === "waiting") {
        message.retry({ delaySeconds: delaySeconds(outcome.until, deps.now()) });
        report.retried += 1;
        return;
      }
      message.ack();
      report[SETTLED_COUNTER[outcome.outcome]] += 1;
      return;
    }
  } catch (error) {
    report.failures += 1;
    deps.onError(error, { tenant, record: id, attempts: message.attempts });
    message.retry({ delaySeconds: delaySeconds(deps.now() + backoffDelayMs(message.attempts, config.backoff, deps.random), deps.now()) });
  }
}

/** Consumes a batch of ENRICH_QUEUE: every message at once (max_batch_size is small), within one budget. */
export async function consumeEnrichQueue(deps: QueueDeps, config: EnrichmentConfig, batch: MessageBatch<unknown>): Promise<QueueReport> {
  const started = deps.now();
  const budget = new RunBudget({ timeBudgetMs: config.queue.waitMs, subrequestBudget: config.run.subrequestBudget }, deps.now);
  const report = emptyReport(batch.queue, batch.messages.length);
  await Promise.all(batch.messages.map((message) => deliver(deps, config, budget, message, report)));
  report.subrequests = budget.subrequests;
  report.durationMs = deps.now() - started;
  return report;
}

/**
 * Consumes the dead-letter queue: the platform gave up on these messages after max_retries failed
 * deliveries. Each record not settled yet is dead-lettered (hash and dead-letter stream, with the
 * errors it holds); a settled one is left as it is. A replay sends it through the queue again.
 */
export async function consumeEnrichDeadQueue(deps: Pick<QueueDeps, "store" | "now" | "onError">, batch: MessageBatch<unknown>): Promise<QueueReport> {
  const started = deps.now();
  const report = emptyReport(batch.queue, batch.messages.length);
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = EnrichMessageSchema.safeParse(message.body);
      if (!body.success) {
        report.malformed += 1;
        message.ack();
        return;
      }
      const { tenant, id } = body.data;
      try {
        const record = await deps.store.delivered(tenant, id);
        const written = record ? await giveUpRecord(deps, { tenant, entryId: undefined, ...record }, "the enrichment queue gave up on the record's message after its delivery retries (dead-letter queue)") : false;
        report[written ? "deadLettered" : "acked"] += 1;
        message.ack();
      } catch (error) {
        report.failures += 1;
        deps.onError(error, { tenant, record: id, queue: batch.queue });
        message.retry();
      }
    }),
  );
  report.durationMs = deps.now() - started;
  return report;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The edge's queue() entry: a batch of ENRICH_QUEUE or of its dead-letter queue, logged as one JSON line. */
export async function runEnrichQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const trace = startSpan();
  const log = createLogger({ worker: "edge", traceId: trace.traceId, queue: batch.queue });
  const context = enrichContext(env);
  if (context instanceof GatewayError || !context.queue) {
    // Configuration or Redis missing: every message comes back later (and, if it stays so, reaches the dead-letter queue).
    log.warn("enrichment queue batch not processed", { reason: context instanceof GatewayError ? context.message : "no ENRICH_QUEUE binding", messages: batch.messages.length });
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  const onError = (error: unknown, where: Record<string, unknown>) => log.error("enrichment queue message failed", { ...where, error: reasonOf(error) });
  const deps = { store: context.store, fanout: context.fanout, config: context.config, queue: context.queue, traceparent: formatTraceparent(trace), now: Date.now, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)), onError };
  const report = batch.queue === ENRICH_DEAD_QUEUE_NAME ? await consumeEnrichDeadQueue(deps, batch) : await consumeEnrichQueue(deps, context.config, batch);
  log.info("enrichment queue batch", { ...report });
}
