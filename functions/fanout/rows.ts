// The coordinator's durable state: one job row, its task rows and its event log, and the store
// interface the engine reads and writes them through (SQLite in the Durable Object, memory in tests).
import type { ChatCompletionRequest } from "@llm-edge/shared";
import type { JobEvent, JobResult, JobSpec, JobView, TaskReview, TaskRole, TaskStatus } from "@llm-edge/shared/jobs";

/** The stored job: what GET /v1/jobs/:id shows of it (JobView's job fields) and what only the coordinator needs. */
export interface JobRow extends Pick<JobView, "id" | "status" | "reason" | "createdAt" | "updatedAt" | "deadlineAt" | "costUsd" | "tokens" | "result" | "plan"> {
  tenant: string;
  /** The W3C traceparent of the request that created the job; every task call continues its trace. */
  traceparent: string;
  spec: JobSpec;
  /** When a job waiting for approval fails by itself. */
  approvalDeadlineAt?: number;
  approved?: boolean;
  /** A child job: the parent job (same tenant) and its task this job runs; told when this job ends. */
  parent?: { id: string; task: string };
  parentNotified?: boolean;
  /** When a job waiting for guardrail reviews fails by itself. */
  reviewDeadlineAt?: number;
}

export interface TaskRow {
  id: string;
  /** Creation order (stable ordering of views and tie-breaks). */
  seq: number;
  role: TaskRole;
  status: TaskStatus;
  /** Attempts claimed so far; attempt n is claimed (written) before its call starts. */
  attempt: number;
  request: ChatCompletionRequest;
  /** Tasks whose outputs this one needs; their answers are added to its prompt when it starts. */
  dependsOn: string[];
  round?: number;
  startedAt?: number;
  endedAt?: number;
  /** The running attempt's deadline. */
  timeoutAt?: number;
  /** A retry waits until then. */
  notBefore?: number;
  tokens?: number;
  costUsd?: number;
  output?: string;
  score?: number;
  error?: string;
  /** A guardrail escalation: pending holds the task; approved lets its next attempt through once. */
  review?: TaskReview;
  /** A task run as a child job (id `<job id>.<task id>`); `shardOffset` when it is a share of a spread fan-out. */
  child?: { spec: JobSpec; shardOffset?: number };
  /** The child job's result, once it succeeded. */
  childResult?: JobResult;
}

/** Read/write access to one job's rows. Implementations must make each call durable before returning. */
export interface JobStore {
  job(): JobRow | undefined;
  putJob(job: JobRow): void;
  tasks(): TaskRow[];
  putTask(task: TaskRow): void;
  /** Appends an event and returns it with its id (1, 2, 3, … per job). */
  addEvent(type: string, data: Record<string, unknown>, at: number): JobEvent;
  eventsAfter(id: number, limit: number): JobEvent[];
}
