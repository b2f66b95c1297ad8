// The `reflect` kind: generator → critic (a structured verdict against the rubric) → reviser, round
// after round until the critic passes or max_rounds is reached; every round is recorded as events
// and as the tasks of that round.
import { z } from "zod";
import type { ReflectSpec } from "@llm-edge/shared/jobs";
import { criticRequest, lastUserText, reviserRequest } from "./prompts";
import type { TaskRow } from "./rows";
import type { JobSession } from "./session";
import { parseJsonAnswer } from "./strategies";

const CriticVerdictSchema = z.object({ pass: z.boolean(), feedback: z.string() });

const ended = (task: TaskRow) => task.status === "succeeded" || task.status === "failed" || task.status === "cancelled";

function spec(session: JobSession): ReflectSpec {
  return session.job.spec as ReflectSpec;
}

export function startReflect(session: JobSession): void {
  const { generator, messages } = spec(session);
  session.addTask({ id: "generate-1", role: "generator", request: { model: generator.model, messages }, round: 1 });
}

/** Moves a reflection job on: critic after each answer, reviser after each failing verdict. */
export function advanceReflect(session: JobSession): void {
  const { critic, reviser, rubric, messages, limits } = spec(session);
  const answers = session.tasks().filter((task) => task.role === "generator" || task.role === "reviser");
  const answer = answers[answers.length - 1];
  if (!answer || !ended(answer)) return;
  const round = answer.round ?? 1;
  if (answer.status !== "succeeded") return session.fail(`round ${round}: the ${answer.role} failed: ${answer.error ?? "no answer"}`);
  const question = lastUserText(messages);
  const review = session.task(`critic-${round}`) ?? session.addTask({ id: `critic-${round}`, role: "critic", request: criticRequest(critic.model, rubric, question, answer.output ?? ""), round });
  if (!review || !ended(review)) return;
  if (review.status !== "succeeded") return session.fail(`round ${round}: the critic failed: ${review.error ?? "no answer"}`);
  const verdict = CriticVerdictSchema.safeParse(parseJsonAnswer(review.output ?? ""));
  if (!verdict.success) return session.fail(`round ${round}: the critic gave no valid verdict {pass, feedback}`);
  session.event("round.completed", { round, pass: verdict.data.pass, feedback: verdict.data.feedback });
  if (verdict.data.pass) return session.finish({ text: answer.output ?? "", rounds: round, passed: true });
  if (round >= limits.maxRounds) {
    return session.finish({ text: answer.output ?? "", rounds: round, passed: false }, `stopped after max_rounds (${limits.maxRounds}) without a passing verdict`);
  }
  session.addTask({ id: `revise-${round + 1}`, role: "reviser", request: reviserRequest(reviser.model, messages, rubric, answer.output ?? "", verdict.data.feedback), round: round + 1 });
}
