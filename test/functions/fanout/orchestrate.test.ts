// The orchestrate kind and guardrail holds in the engine, exactly: the planner's answer checked and
// stored, the plan run as a DAG, one repair with the error, the reasons a job fails; a held task
// pausing the job until its review is approved (input: re-run with the review id; output: the held
// answer released without a call), rejected or timed out.
import { describe, expect, it } from "vitest";
import { recordOutcome, step, type TaskOutcome } from "../../../functions/fanout/engine";
import { settleReview } from "../../../functions/fanout/reviews";
import { ask, drive, newJob, ok } from "./harness";

const orchestrate = (limits: Record<string, unknown> = {}) => ({
  kind: "orchestrate",
  goal: "Plan a trip",
  planner: { model: "p" },
  workerModel: "w",
  synthesis: { model: "s", prompt: "Combine." },
  limits,
});
const plan = (tasks: Array<{ id: string; dependsOn?: string[]; model?: string }>) => JSON.stringify({ tasks: tasks.map((task) => ({ prompt: `do ${task.id}`, dependsOn: [], ...task })) });

describe("orchestrate", () => {
  it("stores the plan, runs independent tasks together and a dependent one after them with their answers, then synthesises", () => {
    const store = newJob(orchestrate());
    const seen: string[][] = [];
    const run = drive(store, (task) => {
      if (task.role === "planner") return ok(plan([{ id: "a" }, { id: "b", model: "x" }, { id: "c", dependsOn: ["a", "b"] }]));
      if (task.role === "synthesis") return ok("final");
      seen.push([task.id, JSON.stringify(task.request.messages)]);
      return ok(`answer ${task.id}`);
    });
    expect(run.job.status).toBe("succeeded");
    expect(run.job.plan?.tasks.map((task) => task.id)).toEqual(["a", "b", "c"]);
    expect(run.calls).toEqual(["plan-1#1", "task-a#1", "task-b#1", "task-c#1", "synthesis#1"]);
    expect(run.tasks.find((task) => task.id === "task-b")?.request.model).toBe("x");
    expect(run.tasks.find((task) => task.id === "task-a")?.request.model).toBe("w");
    expect(seen.find(([id]) => id === "task-c")?.[1]).toContain("answer task-a");
    expect(run.job.result?.text).toBe("final");
  });

  it("asks the planner once more with the error, then accepts the repaired plan", () => {
    const store = newJob(orchestrate());
    const answers = [plan([{ id: "a", dependsOn: ["ghost"] }]), plan([{ id: "a" }])];
    const run = drive(store, (task) => (task.role === "planner" ? ok(answers.shift()!) : ok("x")));
    expect(run.job.status).toBe("succeeded");
    const repair = run.tasks.find((task) => task.id === "plan-2")!;
    expect(repair.request.messages.at(-1)?.content).toBe('That plan is not valid: tasks.0.dependsOn.0: unknown task "ghost". Reply with a corrected plan.');
  });

  it.each([
    ["not JSON", "a plan in prose", "the answer is not JSON"],
    ["a cycle", plan([{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["a"] }]), "tasks: the dependencies form a cycle"],
    ["a duplicate id", plan([{ id: "a" }, { id: "a" }]), 'tasks.1.id: duplicate task id "a"'],
  ])("fails after two invalid plans (%s) with the reason", (_name, answer, error) => {
    const run = drive(newJob(orchestrate()), () => ok(answer));
    expect(run.job.status).toBe("failed");
    expect(run.job.reason).toBe(`the planner gave no valid plan after 2 tries: ${error}`);
    expect(run.calls).toEqual(["plan-1#1", "plan-2#1"]);
  });

  it("rejects a plan with more tasks than fit the task limit (planner calls and synthesis included)", () => {
    const run = drive(newJob(orchestrate({ maxTasks: 5 })), () => ok(plan([{ id: "a" }, { id: "b" }, { id: "c" }])));
    expect(run.job.reason).toBe("the planner gave no valid plan after 2 tries: tasks: the plan has 3 tasks, at most 2 fit the job's task limit");
  });

  it("fails when a plan task fails, naming it, and runs nothing that depends on it", () => {
    const store = newJob(orchestrate({ taskRetries: 0 }));
    const run = drive(store, (task): TaskOutcome => {
      if (task.role === "planner") return ok(plan([{ id: "a" }, { id: "b", dependsOn: ["a"] }]));
      return { ok: false, error: "500 upstream", retryable: true };
    });
    expect(run.job.reason).toBe("plan task task-a failed: 500 upstream");
    expect(run.calls).toEqual(["plan-1#1", "task-a#1"]);
  });
});

describe("guardrail holds", () => {
  const held = (direction: "input" | "output"): TaskOutcome => ({ ok: false, error: "403 review_pending", retryable: false, review: { id: `rev-${direction}`, direction } });

  function pausedJob(direction: "input" | "output", limits: Record<string, unknown> = {}) {
    const store = newJob({ kind: "fanout", branches: [{ model: "m", messages: ask("one") }, { model: "m", messages: ask("two") }], limits });
    const run = drive(store, (task) => (task.id === "branch-2" ? held(direction) : ok("fine")));
    return { store, run };
  }

  it("pauses the job and starts nothing while a review is pending", () => {
    const { store, run } = pausedJob("input");
    expect(run.job.status).toBe("waiting_review");
    expect(run.tasks[1]).toMatchObject({ status: "pending", attempt: 1, review: { id: "rev-input", direction: "input", status: "pending" } });
    const later = step(store, 5_000, new Set());
    expect(later.start).toEqual([]);
    expect(later.nextWakeAt).toBe(6_000);
  });

  it("an approved input review re-runs the task once as its next attempt", () => {
    const { store } = pausedJob("input");
    expect(settleReview(store, "branch-2", { status: "approved" }, 10)).toBe(true);
    expect(store.job()?.status).toBe("running");
    const run = drive(store, () => ok("through"));
    expect(run.calls).toEqual(["branch-2#2"]);
    expect(run.job.status).toBe("succeeded");
    expect(run.tasks[1]?.review?.status).toBe("approved");
  });

  it("an approved output review releases the held answer without another call", () => {
    const { store } = pausedJob("output");
    settleReview(store, "branch-2", { status: "approved", answer: { text: "held answer", tokens: 7 } }, 10);
    const run = drive(store, () => ok("never"));
    expect(run.calls).toEqual([]);
    expect(run.job.result?.answers?.map((answer) => answer.text)).toEqual(["fine", "held answer"]);
  });

  it("a rejected review fails the job; an undecided one fails it at the review timeout", () => {
    const rejected = pausedJob("input").store;
    settleReview(rejected, "branch-2", { status: "rejected" }, 10);
    expect(rejected.job()).toMatchObject({ status: "failed", reason: "guardrail review rev-input of task branch-2 was rejected" });

    const silent = pausedJob("input", { reviewTimeoutMs: 2_000 }).store;
    expect(settleReview(silent, "branch-2", { status: "pending" }, 10)).toBe(false);
    expect(step(silent, 1_999, new Set()).finished).toBe(false);
    step(silent, 2_000, new Set());
    expect(silent.job()).toMatchObject({ status: "failed", reason: "guardrail review rev-input was not decided within 2000 ms" });
  });

  it("a call that was in flight when the job paused is still recorded", () => {
    const store = newJob({ kind: "fanout", branches: [{ model: "m", messages: ask("one") }, { model: "m", messages: ask("two") }] });
    const run = drive(store, (task) => (task.id === "branch-2" ? held("input") : "hang"));
    expect(run.job.status).toBe("waiting_review");
    expect(recordOutcome(store, "branch-1", 1, ok("late but fine"), 5)).toBe(true);
    expect(store.tasks()[0]?.status).toBe("succeeded");
  });
});
