// The `fanout` kind: N branches, then fan-in by strategy — all (merged as a list, one JSON object or
// a synthesis call), first (first success wins, the rest are aborted), best_of_n (judge calls or a
// local rubric/schema check, scores recorded) or quorum (majority over normalised answers). Child jobs
// of the spec run beside the branches; with `spread: "children"` a fan-out wider than the concurrency
// bound is split into child fan-outs (shares) whose answers come back under the original branch ids.
import { FanoutSpecSchema, type Branch, type FanoutSpec, type JobSpec } from "@llm-edge/shared/jobs";
import { childJobRequest, fillTemplate, judgeRequest, lastUserText, synthesisRequest } from "./prompts";
import type { TaskRow } from "./rows";
import type { JobSession } from "./session";
import { bestScored, judgeScore, majorityOf, mergeJsonAnswers, rubricScore, tallyVotes } from "./strategies";

const ended = (task: TaskRow) => task.status === "succeeded" || task.status === "failed" || task.status === "cancelled";
const answerOf = (task: TaskRow) => ({ task: task.id, text: task.output ?? "" });
const branchId = (index: number) => `branch-${index + 1}`;

/** A share's answer ids are the child's branch ids; shifted by the share's offset they are the parent's. */
function shareBranchId(task: TaskRow, childTaskId: string | undefined): string {
  const index = Number(/^branch-(\d+)$/.exec(childTaskId ?? "")?.[1] ?? Number.NaN);
  return Number.isInteger(index) && task.child?.shardOffset !== undefined ? branchId(task.child.shardOffset + index - 1) : task.id;
}

/** The answers a finished task contributes: a share's answers (under the parent's branch ids), else its own. */
function answersOf(task: TaskRow): Array<{ task: string; text: string }> {
  if (task.child?.shardOffset === undefined || !task.childResult?.answers) return [answerOf(task)];
  return task.childResult.answers.map((answer) => ({ task: shareBranchId(task, answer.task), text: answer.text }));
}

function spec(session: JobSession): FanoutSpec {
  return session.job.spec as FanoutSpec;
}

/** A child job's spec with the depth it may still use (one level less than this job's). */
function withinDepth(child: JobSpec, parent: FanoutSpec): JobSpec {
  return { ...child, limits: { ...child.limits, maxDepth: Math.min(child.limits.maxDepth, parent.limits.maxDepth - 1) } } as JobSpec;
}

/**
 * Splits the branches into at most `concurrency` child fan-outs (shares) with the parent's strategy;
 * a share wider than `concurrency` spreads again, so the tree is as shallow as the width allows.
 */
function startShares(session: JobSession, items: Branch[]): void {
  const parent = spec(session);
  const size = Math.max(1, Math.ceil(items.length / parent.limits.concurrency));
  for (let offset = 0; offset < items.length; offset += size) {
    const share = FanoutSpecSchema.parse({
      kind: "fanout",
      branches: items.slice(offset, offset + size),
      strategy: parent.strategy.type,
      spread: "children",
      limits: { ...parent.limits, maxDepth: parent.limits.maxDepth - 1 },
    });
    const id = `share-${offset / size + 1}`;
    session.addTask({ id, role: "job", request: childJobRequest(share), child: { spec: share, shardOffset: offset } });
  }
}

/** Creates one task per explicit branch or per template input (or shares of them), then one per child job. */
export function startFanout(session: JobSession): void {
  const fanout = spec(session);
  const { branches, template, inputs, jobs = [] } = fanout;
  const calls: Branch[] = branches ?? (inputs ?? []).map((input) => ({ model: template!.model, messages: fillTemplate(template!.messages, input) }));
  if (fanout.spread === "children" && calls.length + jobs.length > fanout.limits.concurrency) startShares(session, calls);
  else calls.forEach((request, index) => session.addTask({ id: branchId(index), role: "branch", request }));
  jobs.forEach(({ job }, index) => {
    const child = withinDepth(job, fanout);
    session.addTask({ id: `job-${index + 1}`, role: "job", request: childJobRequest(child), child: { spec: child } });
  });
}

function allFailed(session: JobSession, branches: TaskRow[]): void {
  const first = branches.find((task) => task.error)?.error ?? "no answer";
  session.fail(`all ${branches.length} branches failed (first error: ${first})`);
}

function finishFirst(session: JobSession, branches: TaskRow[]): void {
  const winner = branches.filter((task) => task.status === "succeeded").sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0) || a.seq - b.seq)[0];
  if (winner) {
    session.stopTasks(branches.filter((task) => task.id !== winner.id).map((task) => task.id), `branch ${winner.id} answered first`);
    session.finish({ text: winner.output ?? "", winner: winner.child?.shardOffset === undefined ? winner.id : shareBranchId(winner, winner.childResult?.winner) });
  } else if (branches.every(ended)) allFailed(session, branches);
}

function finishQuorum(session: JobSession, branches: TaskRow[], minVotes: number | undefined): void {
  const needed = minVotes ?? majorityOf(branches.length);
  const [top] = tallyVotes(branches.filter((task) => task.status === "succeeded").map(answerOf));
  if (top && top.votes >= needed) {
    const winner = session.task(top.tasks[0]!)!;
    session.stopTasks(branches.filter((task) => !ended(task)).map((task) => task.id), "a quorum was reached");
    session.finish({ text: winner.output ?? "", winner: winner.id, votes: top.votes });
    return;
  }
  const open = branches.filter((task) => !ended(task)).length;
  if ((top?.votes ?? 0) + open < needed) {
    session.fail(`no quorum: the most common answer had ${top?.votes ?? 0} of ${branches.length} votes, ${needed} needed`);
  }
}

function finishAll(session: JobSession, branches: TaskRow[]): void {
  const answers = branches.filter((task) => task.status === "succeeded").flatMap(answersOf);
  const merge = spec(session).merge;
  if (merge.type === "list") {
    session.finish({ text: answers.map((answer) => answer.text).join("\n\n"), answers });
  } else if (merge.type === "json_merge") {
    const merged = mergeJsonAnswers(answers);
    if (merged.ok) session.finish({ text: JSON.stringify(merged.value), json: merged.value, answers });
    else session.fail(`json_merge: the answer of ${merged.task} is not a JSON object`);
  } else {
    const synthesis = session.task("synthesis") ?? session.addTask({ id: "synthesis", role: "synthesis", request: synthesisRequest(merge.model, merge.prompt, answers) });
    if (synthesis?.status === "succeeded") session.finish({ text: synthesis.output ?? "", answers });
    else if (synthesis && ended(synthesis)) session.fail(`the synthesis call failed: ${synthesis.error ?? "no answer"}`);
  }
}

function finishBestOfN(session: JobSession, branches: TaskRow[]): void {
  const strategy = spec(session).strategy;
  if (strategy.type !== "best_of_n") return;
  const answered = branches.filter((task) => task.status === "succeeded");
  let scored: Array<{ task: TaskRow; score: number }>;
  if (strategy.check) {
    const check = strategy.check;
    scored = answered.map((task) => ({ task, score: rubricScore(task.output ?? "", check) }));
  } else {
    const judge = strategy.judge!;
    const judges = answered.map(
      (task) =>
        session.task(`judge-${task.id}`) ??
        session.addTask({ id: `judge-${task.id}`, role: "judge", request: judgeRequest(judge.model, judge.criteria, lastUserText(task.request.messages), task.output ?? "") }),
    );
    if (!session.active || judges.some((task) => !task || !ended(task))) return;
    // A judge that failed or gave no valid verdict scores its branch 0 rather than sinking the job.
    scored = answered.map((task, index) => ({ task, score: judges[index]?.status === "succeeded" ? (judgeScore(judges[index]!.output ?? "") ?? 0) : 0 }));
  }
  for (const { task, score } of scored) session.saveTask({ ...task, score });
  session.event("branches.scored", { scores: Object.fromEntries(scored.map(({ task, score }) => [task.id, score])) });
  const best = bestScored(scored)!;
  session.finish({ text: best.task.output ?? "", winner: best.task.id, scores: Object.fromEntries(scored.map(({ task, score }) => [task.id, score])) });
}

/** Moves a fan-out job on from the current state of its branches. */
export function advanceFanout(session: JobSession): void {
  const branches = session.tasks().filter((task) => task.role === "branch" || task.role === "job");
  const strategy = spec(session).strategy;
  if (strategy.type === "first") return finishFirst(session, branches);
  if (strategy.type === "quorum") return finishQuorum(session, branches, strategy.minVotes);
  if (!branches.every(ended)) return;
  if (!branches.some((task) => task.status === "succeeded")) return allFailed(session, branches);
  if (strategy.type === "all") return finishAll(session, branches);
  return finishBestOfN(session, branches);
}
