// A JobSession: one pass of the engine over a job's rows at a given time. It offers the kind modules
// (fanout, reflect, orchestrate) the few moves they may make — add a task, stop tasks, finish or fail
// the job — and enforces the bounds (task count) and the approval pause on the way.
import type { ChatCompletionRequest } from "@llm-edge/shared";
import type { JobResult, TaskRole } from "@llm-edge/shared/jobs";
import type { JobRow, JobStore, TaskRow } from "./rows";

export interface NewTask {
  id: string;
  role: TaskRole;
  request: ChatCompletionRequest;
  dependsOn?: string[];
  round?: number;
  child?: TaskRow["child"];
}

export class JobSession {
  /** Task ids whose in-flight calls must be aborted. */
  readonly aborts = new Set<string>();

  constructor(
    readonly store: JobStore,
    public job: JobRow,
    readonly now: number,
  ) {}

  tasks(): TaskRow[] {
    return this.store.tasks().sort((a, b) => a.seq - b.seq);
  }

  task(id: string): TaskRow | undefined {
    return this.store.tasks().find((task) => task.id === id);
  }

  get active(): boolean {
    return this.job.status === "running";
  }

  event(type: string, data: Record<string, unknown> = {}): void {
    this.store.addEvent(type, data, this.now);
  }

  saveJob(changes: Partial<JobRow>): void {
    this.job = { ...this.job, ...changes, updatedAt: this.now };
    this.store.putJob(this.job);
  }

  saveTask(task: TaskRow): void {
    this.store.putTask(task);
  }

  /** Adds a pending task; past the job's task limit it fails the job instead and returns undefined. */
  addTask(input: NewTask): TaskRow | undefined {
    if (!this.active) return undefined;
    const existing = this.store.tasks();
    if (existing.some((task) => task.id === input.id)) throw new Error(`task ${input.id} exists`);
    const limit = this.job.spec.limits.maxTasks;
    if (existing.length >= limit) {
      this.fail(`task limit reached: the job may create at most ${limit} tasks`);
      return undefined;
    }
    const task: TaskRow = {
      id: input.id,
      seq: existing.length,
      role: input.role,
      status: "pending",
      attempt: 0,
      request: input.request,
      dependsOn: input.dependsOn ?? [],
      ...(input.round !== undefined ? { round: input.round } : {}),
      ...(input.child ? { child: input.child } : {}),
    };
    this.store.putTask(task);
    this.event("task.created", { task: task.id, role: task.role, model: task.request.model, ...(task.round !== undefined ? { round: task.round } : {}) });
    return task;
  }

  /** Cancels tasks that have not finished; running ones are aborted. */
  stopTasks(ids: Iterable<string>, why: string): void {
    const wanted = new Set(ids);
    for (const task of this.store.tasks()) {
      if (!wanted.has(task.id) || (task.status !== "pending" && task.status !== "running")) continue;
      if (task.status === "running") this.aborts.add(task.id);
      this.store.putTask({ ...task, status: "cancelled", endedAt: this.now, error: why });
      this.event("task.cancelled", { task: task.id, reason: why });
    }
  }

  private stopAll(why: string): void {
    this.stopTasks(this.store.tasks().map((task) => task.id), why);
  }

  /** Ends the job with its answer, or pauses it for approval first when the spec asks for one. */
  finish(result: JobResult, reason?: string): void {
    if (!this.active) return;
    this.stopAll("the job finished");
    const approval = this.job.spec.approval;
    if (approval && !this.job.approved) {
      this.saveJob({ status: "waiting_approval", result, approvalDeadlineAt: this.now + approval.timeoutMs, ...(reason ? { reason } : {}) });
      this.event("job.waiting_approval", { approvalDeadlineAt: this.job.approvalDeadlineAt });
      return;
    }
    this.saveJob({ status: "succeeded", result, ...(reason ? { reason } : {}) });
    this.event("job.succeeded", { text: result.text, ...(reason ? { reason } : {}) });
  }

  /** Ends the job as failed (or cancelled) with a reason a person can act on. */
  fail(reason: string, status: "failed" | "cancelled" = "failed"): void {
    if (this.job.status === "succeeded" || this.job.status === "failed" || this.job.status === "cancelled") return;
    this.stopAll(status === "cancelled" ? "the job was cancelled" : "the job failed");
    this.saveJob({ status, reason });
    this.event(`job.${status}`, { reason });
  }
}
