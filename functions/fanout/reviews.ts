// Guardrail escalations inside a job: a task whose call was held for human review (403
// review_pending) pauses the job (`waiting_review`, no new task starts) until every held review is
// decided. An approved input review re-runs the task once with the review id (as x-gateway-review-id
// does for a direct call); an approved output review releases the held answer without a new call;
// a rejected, expired or unknown review — or no decision before the review timeout — fails the job.
import { ChatCompletionSchema, type Review } from "@llm-edge/shared";
import type { TaskReview } from "@llm-edge/shared/jobs";
import type { JobStore, TaskRow } from "./rows";
import { JobSession } from "./session";

/** How often a job waiting for reviews asks the guardrail where they stand. */
export const REVIEW_POLL_MS = 1_000;

/** What the review queue says about a review; `completion` is the released answer of an approved output review. */
export type ReviewDecision = { status: "pending" } | { status: "approved"; answer?: { text: string; tokens: number } } | { status: "rejected" | "expired" | "missing" };

/** Reads a review from the queue as a decision (an approved output review carries the released answer). */
export function decisionOf(review: Review | undefined): ReviewDecision {
  if (!review) return { status: "missing" };
  if (review.status !== "approved") return { status: review.status };
  const completion = ChatCompletionSchema.safeParse(review.completion);
  if (!completion.success) return { status: "approved" };
  const text = completion.data.choices.map((choice) => choice.message.content ?? "").join("");
  return { status: "approved", answer: { text, tokens: completion.data.usage?.total_tokens ?? 0 } };
}

/** Holds a task for a review and pauses the job (called for an attempt that ended in review_pending). */
export function holdForReview(session: JobSession, task: TaskRow, review: Omit<TaskReview, "status">, error: string): void {
  session.saveTask({ ...task, status: "pending", review: { ...review, status: "pending" }, error });
  session.event("task.held", { task: task.id, attempt: task.attempt, review: review.id, direction: review.direction });
  if (session.job.status !== "running") return;
  const reviewDeadlineAt = session.now + session.job.spec.limits.reviewTimeoutMs;
  session.saveJob({ status: "waiting_review", reviewDeadlineAt });
  session.event("job.waiting_review", { review: review.id, task: task.id, reviewDeadlineAt });
}

/** Tasks held by a pending review. */
export function heldTasks(store: JobStore): Array<TaskRow & { review: TaskReview }> {
  return store.tasks().filter((task): task is TaskRow & { review: TaskReview } => task.status === "pending" && task.review?.status === "pending");
}

/** Fails a paused job whose reviews were not decided in time; true when it did. */
export function expireReviews(session: JobSession): boolean {
  const deadline = session.job.reviewDeadlineAt;
  if (session.job.status !== "waiting_review" || deadline === undefined || session.now < deadline) return false;
  const ids = heldTasks(session.store).map((task) => task.review.id);
  session.fail(`guardrail review ${ids.join(", ")} was not decided within ${session.job.spec.limits.reviewTimeoutMs} ms`);
  return true;
}

/**
 * Applies a review's decision to the task it holds. Returns true when something changed. The job
 * resumes (`running`) once no task is held any more.
 */
export function settleReview(store: JobStore, taskId: string, decision: ReviewDecision, now: number): boolean {
  const job = store.job();
  const task = store.tasks().find((row) => row.id === taskId);
  if (!job || job.status !== "waiting_review" || !task?.review || task.review.status !== "pending" || decision.status === "pending") return false;
  const session = new JobSession(store, job, now);
  const review = task.review;
  if (decision.status !== "approved") {
    session.fail(`guardrail review ${review.id} of task ${task.id} was ${decision.status === "missing" ? "not found" : decision.status}`);
    return true;
  }
  session.event("task.review_approved", { task: task.id, review: review.id });
  if (review.direction === "output") {
    if (!decision.answer) {
      session.fail(`guardrail review ${review.id} of task ${task.id} was approved but holds no answer`);
      return true;
    }
    const { text, tokens } = decision.answer;
    session.saveTask({ ...task, status: "succeeded", output: text, tokens, endedAt: now, review: { ...review, status: "approved" } });
    session.saveJob({ tokens: session.job.tokens + tokens });
    session.event("task.succeeded", { task: task.id, attempt: task.attempt, tokens, costUsd: 0, review: review.id });
  } else {
    session.saveTask({ ...task, review: { ...review, status: "approved" } });
  }
  if (heldTasks(store).length === 0) {
    session.saveJob({ status: "running" });
    session.event("job.resumed", {});
  }
  return true;
}
