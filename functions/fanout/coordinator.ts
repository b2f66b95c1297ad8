// JobCoordinator: one Durable Object per job, its state in the object's SQLite storage (jobs, tasks,
// events). A thin shell over the pure engine: RPC methods store decisions, the alarm (and a poke after
// each change) runs the driver loop, and every task call goes through the shared pipeline — or, for a
// task that is a job, through a child coordinator that reports its end back to this one.
import { DurableObject } from "cloudflare:workers";
import { createLogger, edgeKeyPrefix, loggedCall, logLevelOf, optionalPlatformConfig, recordSpend, redisFromEnv, rpcLogger, type Logger, type CacheRpc, type GatewayRpc, type GuardrailRpc, type PipelineServices } from "@llm-edge/shared";
import { isTerminalJobStatus, type JobEvent, type JobSpec, type JobStatus, type JobView } from "@llm-edge/shared/jobs";
import { JobDriver } from "./driver";
import { childJobId, runChildCall } from "./child-call";
import { cancelJob, createJob, decideApproval, type ControlResult, type TaskOutcome } from "./engine";
import type { JobRow, JobStore, TaskRow } from "./rows";
import { decisionOf, heldTasks, settleReview } from "./reviews";
import { migrateJobTables, sqlJobStore } from "./sql-store";
import { runTaskCall } from "./task-call";
import { jobView } from "./views";

/** Longest an alarm waits while calls are in flight: if the object is evicted, it resumes by then. */
const HEARTBEAT_MS = 30_000;
const EVENT_PAGE = 100;
/** Task calls log one line each (ids, outcome, cost — never the texts) under the job's trace. */
const taskLogger = createLogger({ worker: "fanout", component: "coordinator" });

export class JobCoordinator extends DurableObject<Env> {
  private readonly store: JobStore;
  private readonly driver: JobDriver;
  private readonly listeners = new Set<() => void>();
  /** Wakes the wait of a task whose child job reported its end. */
  private readonly childWakers = new Map<string, () => void>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = sqlJobStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      migrateJobTables(ctx.storage.sql);
      // A job that has not ended resumes as soon as its object is back (restart, redeploy, eviction).
      const job = this.store.job();
      if (job && !isTerminalJobStatus(job.status) && (await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now());
    });
    const services: PipelineServices = {
      gateway: env.GATEWAY as unknown as GatewayRpc,
      cache: env.CACHE as unknown as CacheRpc,
      guardrail: env.GUARDRAIL as unknown as GuardrailRpc,
    };
    this.driver = new JobDriver({
      store: this.store,
      now: () => Date.now(),
      execute: (task, signal) => {
        const job = this.store.job()!;
        if (task.child) return this.runChild(job, { ...task, child: task.child }, signal);
        const log = rpcLogger(taskLogger, job.traceparent, "task", logLevelOf(env.PLATFORM_CONFIG));
        const config = optionalPlatformConfig(env.PLATFORM_CONFIG, (error) => log.error("invalid PLATFORM_CONFIG: every pipeline step asks its Worker", { problems: error.message }));
        const call = { tenant: job.tenant, jobId: job.id, traceparent: job.traceparent, task, signal, background: (work: Promise<unknown>) => ctx.waitUntil(work), ...(config ? { config } : {}) };
        const spent = runTaskCall(services, call).then((outcome) => {
          // The tenant's spend budget counts what jobs cost too (the edge checks it before the next request).
          if (outcome.costUsd) ctx.waitUntil(this.recordSpend(job.tenant, outcome.costUsd, log));
          return outcome;
        });
        return loggedCall(log, () => spent, (outcome) => ({
          tenant: job.tenant,
          jobId: job.id,
          taskId: task.id,
          attempt: task.attempt,
          ok: outcome.ok,
          costUsd: outcome.costUsd,
          ...(outcome.ok ? { tokens: outcome.tokens } : { retryable: outcome.retryable }),
        }));
      },
      schedule: async (at) => {
        if (at === undefined && !this.driver.live().size) return ctx.storage.deleteAlarm();
        await ctx.storage.setAlarm(Math.min(at ?? Infinity, Date.now() + HEARTBEAT_MS));
      },
      changed: () => {
        this.notify();
        this.reportEndToParent();
      },
      prepare: () => this.pollReviews(services.guardrail),
    });
  }

  /** A SQLite round trip: writes and reads back a heartbeat, returning its timestamp. */
  ping(): number {
    const now = Date.now();
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('heartbeat', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", String(now));
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'heartbeat'").one();
    return Number(row.value);
  }

  /** Stores the job and its first tasks, then starts the loop through an immediate alarm. `parent` makes it a child job. */
  async create(input: { id: string; tenant: string; spec: JobSpec; traceparent: string; parent?: { id: string; task: string } }): Promise<{ id: string; status: JobStatus }> {
    const existing = this.store.job();
    if (existing) return { id: existing.id, status: existing.status };
    const job = createJob(this.store, { ...input, now: Date.now() });
    // The alarm is the durable start; running the loop now saves waiting for the alarm to be delivered.
    await this.ctx.storage.setAlarm(Date.now());
    void this.driver.run();
    return { id: job.id, status: job.status };
  }

  /** The job as its tenant sees it; undefined for another tenant or no job. */
  view(tenant: string): JobView | undefined {
    const job = this.store.job();
    return job && job.tenant === tenant ? jobView(job, this.store.tasks()) : undefined;
  }

  /** Adds a task call's cost to the tenant's daily and monthly spend (shared/spend.ts); a Redis failure is logged, never fatal. */
  private async recordSpend(tenant: string, costUsd: number, log: Logger): Promise<void> {
    try {
      await recordSpend(redisFromEnv(this.env), edgeKeyPrefix(this.env), tenant, costUsd);
    } catch (error) {
      log.warn("job spend not recorded", { tenant, costUsd, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Events after `afterId`; waits up to `waitMs` for new ones while the job has not ended. */
  async events(tenant: string, afterId: number, waitMs: number): Promise<{ events: JobEvent[]; ended: boolean } | undefined> {
    const job = this.store.job();
    if (!job || job.tenant !== tenant) return undefined;
    let events = this.store.eventsAfter(afterId, EVENT_PAGE);
    if (events.length === 0 && !isTerminalJobStatus(job.status)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.listeners.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.listeners.add(done);
      });
      events = this.store.eventsAfter(afterId, EVENT_PAGE);
    }
    const ended = isTerminalJobStatus(this.store.job()!.status) && events.length < EVENT_PAGE;
    return { events, ended };
  }

  async cancel(tenant: string): Promise<ControlResult> {
    return this.control(tenant, () => cancelJob(this.store, Date.now()));
  }

  async decide(tenant: string, approve: boolean): Promise<ControlResult> {
    return this.control(tenant, () => decideApproval(this.store, approve, Date.now()));
  }

  override async alarm(): Promise<void> {
    await this.driver.run();
  }

  private async control(tenant: string, change: () => ControlResult): Promise<ControlResult> {
    const job = this.store.job();
    if (!job || job.tenant !== tenant) return { ok: false, reason: "not_found" };
    const result = change();
    if (result.ok) {
      this.driver.abort(result.abort);
      this.cancelStoppedChildren();
      this.reportEndToParent();
      this.driver.poke();
      this.notify();
      await this.ctx.storage.setAlarm(Date.now());
    }
    return result;
  }

  /** While the job waits for guardrail reviews, asks the review queue where each stands and applies decisions. */
  private async pollReviews(guardrail: GuardrailRpc): Promise<void> {
    const job = this.store.job();
    if (job?.status !== "waiting_review") return;
    for (const task of heldTasks(this.store)) {
      const review = await guardrail.getReview({ traceparent: job.traceparent }, { tenant: job.tenant, id: task.review.id }).catch(() => "unreachable" as const);
      if (review !== "unreachable") settleReview(this.store, task.id, decisionOf(review), Date.now());
    }
  }

  /** A child job of this one ended: wake the task waiting for it, or resume the loop if none is running. */
  async childEnded(tenant: string, taskId: string): Promise<void> {
    const job = this.store.job();
    if (!job || job.tenant !== tenant) return;
    const wake = this.childWakers.get(taskId);
    if (wake) wake();
    else if (!this.driver.running && !isTerminalJobStatus(job.status)) await this.ctx.storage.setAlarm(Date.now());
  }

  private runChild(job: JobRow, task: TaskRow & { child: NonNullable<TaskRow["child"]> }, signal: AbortSignal): Promise<TaskOutcome> {
    return runChildCall({
      job,
      task,
      signal,
      coordinator: (childId) => this.env.JOBS.get(this.env.JOBS.idFromName(`${job.tenant}/${childId}`)),
      wait: (ms) =>
        new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            this.childWakers.delete(task.id);
            resolve();
          };
          const timer = setTimeout(done, ms);
          signal.addEventListener("abort", done, { once: true });
          this.childWakers.set(task.id, done);
        }),
    });
  }

  /** A child job that ended tells its parent once (the parent also polls, so a lost report only delays it). */
  private reportEndToParent(): void {
    const job = this.store.job();
    if (!job?.parent || job.parentNotified || !isTerminalJobStatus(job.status)) return;
    this.store.putJob({ ...job, parentNotified: true });
    const parent = this.env.JOBS.get(this.env.JOBS.idFromName(`${job.tenant}/${job.parent.id}`));
    this.ctx.waitUntil(parent.childEnded(job.tenant, job.parent.task).catch(() => undefined));
  }

  /** Cancels the child jobs of tasks that were stopped (a running child is also cancelled by its abort). */
  private cancelStoppedChildren(): void {
    const job = this.store.job()!;
    for (const task of this.store.tasks()) {
      if (!task.child || task.status !== "cancelled" || task.attempt === 0) continue;
      const child = this.env.JOBS.get(this.env.JOBS.idFromName(`${job.tenant}/${childJobId(job.id, task.id)}`));
      this.ctx.waitUntil(child.cancel(job.tenant).catch(() => undefined));
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
