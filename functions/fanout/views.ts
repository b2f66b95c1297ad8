// What GET /v1/jobs/:id shows: the job row and its tasks as JobView/TaskView (no requests, no tenant).
import type { JobView, TaskView } from "@llm-edge/shared/jobs";
import { childJobId } from "./child-call";
import type { JobRow, TaskRow } from "./rows";

export function taskView(task: TaskRow, jobId: string): TaskView {
  const durationMs = task.startedAt !== undefined && task.endedAt !== undefined ? task.endedAt - task.startedAt : undefined;
  const optional = {
    round: task.round,
    startedAt: task.startedAt,
    endedAt: task.endedAt,
    durationMs,
    tokens: task.tokens,
    costUsd: task.costUsd,
    output: task.output,
    score: task.score,
    error: task.error,
    review: task.review,
    childJob: task.child ? childJobId(jobId, task.id) : undefined,
  };
  return {
    id: task.id,
    role: task.role,
    model: task.request.model,
    status: task.status,
    attempts: task.attempt,
    dependsOn: task.dependsOn,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

function heldReviews(tasks: TaskRow[]): NonNullable<JobView["reviews"]> {
  return tasks.flatMap((task) => (task.review?.status === "pending" ? [{ id: task.review.id, task: task.id, direction: task.review.direction }] : []));
}

export function jobView(job: JobRow, tasks: TaskRow[]): JobView {
  return {
    id: job.id,
    kind: job.spec.kind,
    status: job.status,
    ...(job.reason ? { reason: job.reason } : {}),
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    deadlineAt: job.deadlineAt,
    costUsd: job.costUsd,
    tokens: job.tokens,
    ...(job.result ? { result: job.result } : {}),
    ...(job.plan ? { plan: job.plan } : {}),
    ...(job.status === "waiting_review" ? { reviews: heldReviews(tasks) } : {}),
    tasks: [...tasks].sort((a, b) => a.seq - b.seq).map((task) => taskView(task, job.id)),
  };
}
