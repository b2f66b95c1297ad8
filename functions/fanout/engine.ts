// The job engine: a pure state machine over a job's rows. `step` is what every alarm (or wake-up)
// runs: it times out and re-claims tasks, lets the job's kind advance, enforces deadline and budget,
// and claims runnable tasks up to the concurrency bound. `recordOutcome` stores a call's result.
// Nothing here does I/O besides the JobStore, so a restart is "run step again over the same rows".
import type { ChatMessage } from "@llm-edge/shared";
import { isTerminalJobStatus, type JobResult, type JobSpec, type JobStatus } from "@llm-edge/shared/jobs";
import { kindOf } from "./kinds";
import { expireReviews, holdForReview, REVIEW_POLL_MS } from "./reviews";
import type { JobRow, JobStore, TaskRow } from "./rows";
import { JobSession } from "./session";

/** What a task's call produced. `retryable` failures are tried again while attempts remain. */
export type TaskOutcome =
  | { ok: true; text: string; tokens: number; costUsd: number; /** A child job's whole result. */ result?: JobResult }
  | { ok: false; error: string; retryable: boolean; costUsd?: number; review?: { id: string; direction: "input" | "output" } };

export interface StepResult {
  /** Tasks claimed in this step (attempt already incremented and stored): start their calls now. */
  start: TaskRow[];
  /** Tasks whose in-flight calls must be aborted. */
  abort: string[];
  /** When the engine needs to run again even if no call finishes (timeouts, retries, deadline). */
  nextWakeAt?: number;
  /** The job can change no more. */
  finished: boolean;
}

const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 5_000;

/** Stores a new job and its first tasks. `id` must be unique; the clock is the caller's. */
export function createJob(store: JobStore, input: { id: string; tenant: string; traceparent: string; spec: JobSpec; now: number; parent?: JobRow["parent"] }): JobRow {
  const job: JobRow = {
    id: input.id,
    tenant: input.tenant,
    traceparent: input.traceparent,
    spec: input.spec,
    status: "running",
    createdAt: input.now,
    updatedAt: input.now,
    deadlineAt: input.now + input.spec.limits.deadlineMs,
    costUsd: 0,
    tokens: 0,
    ...(input.parent ? { parent: input.parent } : {}),
  };
  store.putJob(job);
  const session = new JobSession(store, job, input.now);
  session.event("job.created", { kind: input.spec.kind });
  kindOf(input.spec).start(session);
  return session.job;
}

/** Records a failed attempt: retried after a backoff while attempts remain, else the task fails. */
function failAttempt(session: JobSession, task: TaskRow, error: string, retryable: boolean, backoffMs?: number): void {
  const attempts = session.job.spec.limits.taskRetries + 1;
  if (retryable && task.attempt < attempts && !isTerminalJobStatus(session.job.status)) {
    const backoff = backoffMs ?? Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (task.attempt - 1));
    session.saveTask({ ...task, status: "pending", error, notBefore: session.now + backoff });
    session.event("task.retrying", { task: task.id, attempt: task.attempt, error, retryInMs: backoff });
    return;
  }
  session.saveTask({ ...task, status: "failed", error, endedAt: session.now });
  session.event("task.failed", { task: task.id, attempt: task.attempt, error });
}

/** The request a task sends: its own, plus the answers of the tasks it depends on. */
function requestWithInputs(session: JobSession, task: TaskRow): TaskRow["request"] {
  if (task.dependsOn.length === 0) return task.request;
  const answers = task.dependsOn.map((id) => `### ${id}\n${session.task(id)?.output ?? ""}`).join("\n\n");
  const context: ChatMessage = { role: "user", content: `Results of the tasks this one depends on:\n\n${answers}` };
  return { ...task.request, messages: [...task.request.messages, context] };
}

function runnable(session: JobSession, task: TaskRow): boolean {
  if (task.status !== "pending" || (task.notBefore ?? 0) > session.now || task.review?.status === "pending") return false;
  return task.dependsOn.every((id) => session.task(id)?.status === "succeeded");
}

function checkRunningTasks(session: JobSession, live: ReadonlySet<string>): void {
  for (const task of session.tasks()) {
    if (task.status !== "running") continue;
    if (!live.has(task.id) && task.child) {
      // A child job runs on without this instance: attach to it again (the same child, not a new attempt).
      session.saveTask({ ...task, status: "pending", attempt: task.attempt - 1 });
      session.event("task.reattaching", { task: task.id });
    } else if (!live.has(task.id)) {
      // Not the upstream's fault: the retry needs no backoff.
      failAttempt(session, task, "interrupted: the coordinator restarted during the call", true, 0);
    } else if (task.timeoutAt !== undefined && session.now >= task.timeoutAt) {
      session.aborts.add(task.id);
      failAttempt(session, task, `timed out after ${task.timeoutAt - (task.startedAt ?? task.timeoutAt)} ms`, !task.child);
    }
  }
}

function claim(session: JobSession, live: ReadonlySet<string>): TaskRow[] {
  const { limits } = session.job.spec;
  const inFlight = session.tasks().filter((task) => task.status === "running" && live.has(task.id)).length;
  const free = limits.concurrency - inFlight;
  const ready = session.tasks().filter((task) => runnable(session, task));
  if (ready.length > 0 && session.job.costUsd >= limits.budgetUsd) {
    session.fail(`cost budget reached: $${session.job.costUsd.toFixed(6)} spent of $${limits.budgetUsd}`);
    return [];
  }
  return ready.slice(0, Math.max(0, free)).map((task) => {
    const claimed: TaskRow = {
      ...task,
      status: "running",
      attempt: task.attempt + 1,
      request: requestWithInputs(session, task),
      dependsOn: task.dependsOn,
      startedAt: session.now,
      timeoutAt: session.now + (task.child ? task.child.spec.limits.deadlineMs : limits.taskTimeoutMs),
    };
    delete claimed.notBefore;
    session.saveTask(claimed);
    session.event("task.started", { task: task.id, attempt: claimed.attempt });
    return claimed;
  });
}

function wakeAt(session: JobSession): number | undefined {
  const times: number[] = [];
  if (session.job.status === "waiting_approval" && session.job.approvalDeadlineAt !== undefined) times.push(session.job.approvalDeadlineAt);
  if (session.job.status === "waiting_review") times.push(session.job.deadlineAt, session.job.reviewDeadlineAt ?? Infinity, session.now + REVIEW_POLL_MS);
  if (session.job.status === "running") {
    times.push(session.job.deadlineAt);
    for (const task of session.tasks()) {
      if (task.status === "running" && task.timeoutAt !== undefined) times.push(task.timeoutAt);
      if (task.status === "pending" && task.notBefore !== undefined) times.push(task.notBefore);
    }
  }
  return times.length ? Math.min(...times) : undefined;
}

/**
 * One pass of the alarm loop. `live` names the tasks whose calls this coordinator instance has in
 * flight; a running task not in it lost its call (eviction, restart) and is tried again as a new
 * attempt. Idempotent: running it twice at the same time changes nothing the second time.
 */
export function step(store: JobStore, now: number, live: ReadonlySet<string>): StepResult {
  const job = store.job();
  if (!job || isTerminalJobStatus(job.status)) return { start: [], abort: [...live], finished: true };
  const session = new JobSession(store, job, now);
  if (job.status === "waiting_approval") {
    if (job.approvalDeadlineAt !== undefined && now >= job.approvalDeadlineAt) session.fail("approval timed out");
    return { start: [], abort: [...session.aborts], finished: !session.active && session.job.status !== "waiting_approval", ...optional(wakeAt(session)) };
  }
  if (now >= job.deadlineAt) {
    session.fail(`deadline reached: the job may run ${job.spec.limits.deadlineMs} ms`);
    return { start: [], abort: [...live], finished: true };
  }
  if (job.status === "waiting_review") {
    // Paused: calls in flight finish and are recorded, nothing new starts until the reviews are decided.
    checkRunningTasks(session, live);
    const finished = expireReviews(session);
    return { start: [], abort: finished ? [...live] : [...session.aborts], finished, ...optional(wakeAt(session)) };
  }
  checkRunningTasks(session, live);
  kindOf(job.spec).advance(session);
  const start = session.active ? claim(session, live) : [];
  if (session.active && start.length === 0 && !session.tasks().some((task) => task.status === "pending" || task.status === "running")) {
    session.fail("the job has nothing left to run"); // a kind module that stalls must not hang the job
  }
  const finished = isTerminalJobStatus(session.job.status);
  return { start, abort: finished ? [...live] : [...session.aborts], finished, ...optional(wakeAt(session)) };
}

function optional(at: number | undefined): { nextWakeAt?: number } {
  return at === undefined ? {} : { nextWakeAt: at };
}

/**
 * Stores the outcome of attempt `attempt` of a task. Returns false (and changes nothing) when that
 * attempt is no longer the task's current one — a late answer of a timed-out, cancelled or
 * superseded call — so an answer is never counted twice.
 */
export function recordOutcome(store: JobStore, taskId: string, attempt: number, outcome: TaskOutcome, now: number): boolean {
  const job = store.job();
  const task = store.tasks().find((row) => row.id === taskId);
  if (!job || !task || task.status !== "running" || task.attempt !== attempt) return false;
  const session = new JobSession(store, job, now);
  const spent = outcome.costUsd ?? 0;
  const tokens = outcome.ok ? outcome.tokens : 0;
  session.saveJob({ costUsd: job.costUsd + spent, tokens: job.tokens + tokens });
  if (!outcome.ok && outcome.review) {
    holdForReview(session, { ...task, costUsd: (task.costUsd ?? 0) + spent }, outcome.review, outcome.error);
  } else if (outcome.ok) {
    session.saveTask({ ...task, status: "succeeded", output: outcome.text, tokens, costUsd: (task.costUsd ?? 0) + spent, endedAt: now, ...(outcome.result ? { childResult: outcome.result } : {}) });
    session.event("task.succeeded", { task: task.id, attempt, tokens, costUsd: spent });
  } else {
    failAttempt(session, { ...task, costUsd: (task.costUsd ?? 0) + spent }, outcome.error, outcome.retryable);
  }
  return true;
}

export type ControlResult = { ok: true; status: JobStatus; abort: string[] } | { ok: false; reason: "not_found" } | { ok: false; reason: "conflict"; status: JobStatus; message: string };

/** Cancels a job that has not ended; its in-flight calls are to be aborted. */
export function cancelJob(store: JobStore, now: number): ControlResult {
  const job = store.job();
  if (!job) return { ok: false, reason: "not_found" };
  if (isTerminalJobStatus(job.status)) return { ok: false, reason: "conflict", status: job.status, message: `the job already ended (${job.status})` };
  const session = new JobSession(store, job, now);
  session.fail("cancelled by the caller", "cancelled");
  return { ok: true, status: session.job.status, abort: [...session.aborts] };
}

/** Approves (the job ends with its held answer) or rejects (the job fails) a job waiting for approval. */
export function decideApproval(store: JobStore, approve: boolean, now: number): ControlResult {
  const job = store.job();
  if (!job) return { ok: false, reason: "not_found" };
  if (job.status !== "waiting_approval") return { ok: false, reason: "conflict", status: job.status, message: `the job is not waiting for approval (${job.status})` };
  const session = new JobSession(store, job, now);
  if (!approve) {
    session.fail("rejected by a reviewer");
    return { ok: true, status: session.job.status, abort: [] };
  }
  session.saveJob({ status: "succeeded", approved: true });
  session.event("job.approved", {});
  session.event("job.succeeded", { text: job.result?.text ?? "" });
  return { ok: true, status: "succeeded", abort: [] };
}
