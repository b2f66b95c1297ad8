// The `orchestrate` kind: a planner call returns a plan (tasks with ids, dependencies, prompts,
// models); the plan is checked, stored on the job and run as a DAG — tasks without open dependencies
// run in parallel up to the concurrency bound — and a synthesis call assembles the answer. An invalid
// plan is sent back to the planner once with the error; a second invalid plan fails the job.
import type { OrchestrateSpec, Plan } from "@llm-edge/shared/jobs";
import { checkPlan } from "./plan";
import { planRepairRequest, plannerRequest, synthesisRequest, workerRequest } from "./prompts";
import type { TaskRow } from "./rows";
import type { JobSession } from "./session";

/** Planner calls a job may make: the first plan and one repair. */
const PLANNER_CALLS = 2;
const PLANNER_ID = (n: number) => `plan-${n}`;
const WORKER_ID = (planTaskId: string) => `task-${planTaskId}`;

const ended = (task: TaskRow) => task.status === "succeeded" || task.status === "failed" || task.status === "cancelled";

function spec(session: JobSession): OrchestrateSpec {
  return session.job.spec as OrchestrateSpec;
}

/** Plan tasks that still fit in the job's task limit: the limit less the planner calls and the synthesis. */
function maxPlanTasks(session: JobSession): number {
  return Math.max(1, session.job.spec.limits.maxTasks - PLANNER_CALLS - 1);
}

export function startOrchestrate(session: JobSession): void {
  const { planner, goal } = spec(session);
  session.addTask({ id: PLANNER_ID(1), role: "planner", request: plannerRequest(planner.model, planner.prompt, goal, maxPlanTasks(session)) });
}

function acceptPlan(session: JobSession, plan: Plan): void {
  const { goal, workerModel } = spec(session);
  session.saveJob({ plan });
  session.event("plan.accepted", { tasks: plan.tasks.map((task) => task.id) });
  for (const task of plan.tasks) {
    session.addTask({ id: WORKER_ID(task.id), role: "worker", request: workerRequest(task.model ?? workerModel, goal, task.prompt), dependsOn: task.dependsOn.map(WORKER_ID) });
  }
}

/** Reads the latest planner answer: accept it, ask for a repair, or fail the job. */
function advancePlanning(session: JobSession): void {
  const planners = session.tasks().filter((task) => task.role === "planner");
  const latest = planners[planners.length - 1]!;
  if (!ended(latest)) return;
  if (latest.status !== "succeeded") return session.fail(`the planner call failed: ${latest.error ?? "no answer"}`);
  const checked = checkPlan(latest.output ?? "", maxPlanTasks(session));
  if (checked.ok) return acceptPlan(session, checked.plan);
  session.event("plan.rejected", { task: latest.id, error: checked.error });
  if (planners.length >= PLANNER_CALLS) return session.fail(`the planner gave no valid plan after ${PLANNER_CALLS} tries: ${checked.error}`);
  session.addTask({ id: PLANNER_ID(planners.length + 1), role: "planner", request: planRepairRequest(planners[0]!.request, latest.output ?? "", checked.error) });
}

/** Moves an orchestrate job on: planning, then the plan's tasks, then the synthesis. */
export function advanceOrchestrate(session: JobSession): void {
  const plan = session.job.plan;
  if (!plan) return advancePlanning(session);
  const workers = session.tasks().filter((task) => task.role === "worker");
  const failed = workers.find((task) => ended(task) && task.status !== "succeeded");
  if (failed) return session.fail(`plan task ${failed.id} failed: ${failed.error ?? "no answer"}`);
  if (!workers.every(ended)) return;
  const answers = workers.map((task) => ({ task: task.id, text: task.output ?? "" }));
  const { synthesis, goal } = spec(session);
  const final = session.task("synthesis") ?? session.addTask({ id: "synthesis", role: "synthesis", request: synthesisRequest(synthesis.model, `${synthesis.prompt}\n\nThe goal: ${goal}`, answers) });
  if (final?.status === "succeeded") session.finish({ text: final.output ?? "", answers });
  else if (final && ended(final)) session.fail(`the synthesis call failed: ${final.error ?? "no answer"}`);
}
