// A task run as a child job: the parent creates (or, after a restart, finds again) the child's
// coordinator under the deterministic id `<job id>.<task id>`, so a child is never started twice, and
// waits for it to end — woken early when the child reports its end, else by polling. An abort (cancel,
// timeout, a `first` winner) cancels the child. The child's cost and tokens roll up into the outcome.
import { isTerminalJobStatus, type JobSpec, type JobStatus, type JobView } from "@llm-edge/shared/jobs";
import type { ControlResult, TaskOutcome } from "./engine";
import type { JobRow, TaskRow } from "./rows";

/** How often a waiting parent looks at its child when no end report has come. */
export const CHILD_POLL_MS = 2_000;

/** The child coordinator as the parent sees it (a Durable Object stub). */
export interface ChildCoordinator {
  create(input: { id: string; tenant: string; spec: JobSpec; traceparent: string; parent: { id: string; task: string } }): Promise<{ id: string; status: JobStatus }>;
  view(tenant: string): Promise<JobView | undefined>;
  cancel(tenant: string): Promise<ControlResult>;
}

export interface ChildCallInput {
  job: JobRow;
  task: TaskRow & { child: NonNullable<TaskRow["child"]> };
  signal: AbortSignal;
  coordinator(childId: string): ChildCoordinator;
  /** Resolves after `ms`, when the child reports its end, or on abort, whichever comes first. */
  wait(ms: number): Promise<void>;
}

export function childJobId(jobId: string, taskId: string): string {
  return `${jobId}.${taskId}`;
}

/** The outcome of a child job that ended. */
export function childOutcome(view: JobView): TaskOutcome {
  if (view.status === "succeeded" && view.result) return { ok: true, text: view.result.text, tokens: view.tokens, costUsd: view.costUsd, result: view.result };
  return { ok: false, error: `child job ${view.id} ${view.status}: ${view.reason ?? "no answer"}`, retryable: false, costUsd: view.costUsd };
}

/** Runs (or re-attaches to) the task's child job and resolves with its outcome. */
export async function runChildCall(input: ChildCallInput): Promise<TaskOutcome> {
  const { job, task, signal } = input;
  if (job.spec.limits.maxDepth < 1) return { ok: false, error: `depth limit reached: job ${job.id} may not start child jobs (limits.maxDepth 0)`, retryable: false };
  const id = childJobId(job.id, task.id);
  const child = input.coordinator(id);
  await child.create({ id, tenant: job.tenant, spec: task.child.spec, traceparent: job.traceparent, parent: { id: job.id, task: task.id } });
  const stop = () => void child.cancel(job.tenant).catch(() => undefined);
  signal.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      if (signal.aborted) return { ok: false, error: "aborted", retryable: false };
      const view = await child.view(job.tenant);
      if (!view) return { ok: false, error: `child job ${id} not found`, retryable: false };
      if (isTerminalJobStatus(view.status)) return childOutcome(view);
      await input.wait(CHILD_POLL_MS);
    }
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
