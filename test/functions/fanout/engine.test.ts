// The job engine as a state machine over a store: strategies, reflection rounds, retries, timeouts,
// bounds, cancel, approval, and resumption after a restart — time from an injected clock, answers
// from a scripted model (the engine's call boundary), so every scenario is exact.
import { describe, expect, it } from "vitest";
import { cancelJob, decideApproval, recordOutcome, step } from "../../../functions/fanout/engine";
import { ask, branches, drive, newJob, ok } from "./harness";

describe("fanout strategies", () => {
  it("all: runs every branch once, never more than the concurrency bound at a time, and lists the answers", () => {
    const store = newJob({ kind: "fanout", branches: branches(10), limits: { concurrency: 6 } });
    const run = drive(store, (task) => (task.id === "branch-10" ? "hang" : ok(`answer ${task.id}`)));
    expect(run.maxInFlight).toBeLessThanOrEqual(6);
    expect(run.job.status).toBe("running");
    recordOutcome(store, "branch-10", 1, ok("answer branch-10"), 0);
    const end = drive(store, () => ok("never"), { live: run.live });
    expect(end.job.status).toBe("succeeded");
    expect(end.job.result?.answers).toHaveLength(10);
    expect([...run.calls, ...end.calls].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `branch-${i + 1}#1`).sort());
    expect(end.job.costUsd).toBeCloseTo(0.01);
  });

  it("first: the first success wins and the calls still in flight are aborted", () => {
    const store = newJob({ kind: "fanout", branches: branches(3), strategy: "first" });
    const run = drive(store, (task) => (task.id === "branch-2" ? ok("fast") : "hang"));
    expect(run.job.status).toBe("succeeded");
    expect(run.job.result).toMatchObject({ text: "fast", winner: "branch-2" });
    expect(run.aborted.sort()).toEqual(["branch-1", "branch-3"]);
    expect(run.tasks.filter((task) => task.status === "cancelled").map((task) => task.id)).toEqual(["branch-1", "branch-3"]);
    // A late answer of an aborted branch changes nothing.
    expect(recordOutcome(store, "branch-1", 1, ok("late"), 5)).toBe(false);
    expect(store.job()!.result?.text).toBe("fast");
  });

  it("quorum: ends as soon as a majority agrees on the normalised answer", () => {
    const store = newJob({ kind: "fanout", branches: branches(5), strategy: "quorum" });
    const answers: Record<string, string> = { "branch-1": "Paris", "branch-2": "London", "branch-3": "paris.", "branch-4": " PARIS" };
    const run = drive(store, (task) => answers[task.id] ? ok(answers[task.id]!) : "hang");
    expect(run.job.status).toBe("succeeded");
    expect(run.job.result).toMatchObject({ text: "Paris", votes: 3 });
    expect(run.aborted).toEqual(["branch-5"]);
  });

  it("quorum: fails with the vote count when no answer can reach a majority", () => {
    const store = newJob({ kind: "fanout", branches: branches(3), strategy: "quorum" });
    const run = drive(store, (task) => ok(`different ${task.id}`));
    expect(run.job.status).toBe("failed");
    expect(run.job.reason).toBe("no quorum: the most common answer had 1 of 3 votes, 2 needed");
  });

  it("best_of_n with a check: scores every answer, records the scores and returns the best", () => {
    const store = newJob({ kind: "fanout", branches: branches(3), strategy: { type: "best_of_n", check: { mustInclude: ["paris", "france"] } } });
    const answers: Record<string, string> = { "branch-1": "Paris", "branch-2": "Paris, France", "branch-3": "Lyon" };
    const run = drive(store, (task) => ok(answers[task.id]!));
    expect(run.job.result).toMatchObject({ winner: "branch-2", scores: { "branch-1": 1, "branch-2": 2, "branch-3": 0 } });
    expect(run.tasks.find((task) => task.id === "branch-2")?.score).toBe(2);
  });

  it("best_of_n with a judge: one judge call per answer, the best scored answer wins", () => {
    const store = newJob({ kind: "fanout", branches: branches(2), strategy: { type: "best_of_n", judge: { model: "judge" } } });
    const run = drive(store, (task) => {
      if (task.role === "branch") return ok(`answer ${task.id}`);
      const content = JSON.stringify(task.request.messages);
      return ok(JSON.stringify({ score: content.includes("answer branch-2") ? 9 : 4, reason: "r" }));
    });
    expect(run.calls.filter((call) => call.startsWith("judge-"))).toHaveLength(2);
    expect(run.tasks.find((task) => task.id === "judge-branch-1")?.request.response_format?.type).toBe("json_schema");
    expect(run.job.result).toMatchObject({ text: "answer branch-2", winner: "branch-2", scores: { "branch-1": 4, "branch-2": 9 } });
  });

  it("all with json_merge and with a synthesis call", () => {
    const merged = drive(newJob({ kind: "fanout", branches: branches(2), merge: "json_merge" }), (task) => ok(JSON.stringify({ [task.id]: true })));
    expect(merged.job.result?.json).toEqual({ "branch-1": true, "branch-2": true });
    const synthesised = drive(newJob({ kind: "fanout", branches: branches(2), merge: { type: "synthesis", model: "s", prompt: "Combine." } }), (task) =>
      ok(task.role === "synthesis" ? "combined" : `part ${task.id}`),
    );
    expect(synthesised.job.result?.text).toBe("combined");
    const synthesis = synthesised.tasks.find((task) => task.role === "synthesis")!;
    expect(JSON.stringify(synthesis.request.messages)).toContain("part branch-2");
  });

  it("fills a template once per input", () => {
    const run = drive(newJob({ kind: "fanout", template: { model: "m", messages: ask("Translate {{input}}") }, inputs: ["cat", "dog"] }), (task) => ok(JSON.stringify(task.request.messages)));
    expect(run.job.result?.answers?.map((answer) => answer.text)).toEqual([JSON.stringify(ask("Translate cat")), JSON.stringify(ask("Translate dog"))]);
  });
});

describe("reflect", () => {
  const spec = { kind: "reflect", messages: ask("Write a haiku"), generator: { model: "g" }, critic: { model: "c" }, reviser: { model: "r" }, rubric: "5-7-5" };

  it("revises until the critic passes, recording every round", () => {
    const store = newJob(spec);
    const run = drive(store, (task) => (task.role === "critic" ? ok(JSON.stringify({ pass: task.round === 2, feedback: `fix ${task.round}` })) : ok(`draft ${task.round}`)));
    expect(run.calls).toEqual(["generate-1#1", "critic-1#1", "revise-2#1", "critic-2#1"]);
    expect(run.job.result).toMatchObject({ text: "draft 2", rounds: 2, passed: true });
    expect(JSON.stringify(run.tasks.find((task) => task.id === "revise-2")!.request.messages)).toContain("fix 1");
    expect(store.allEvents().filter((event) => event.type === "round.completed").map((event) => event.data.pass)).toEqual([false, true]);
  });

  it("stops at max_rounds with the last answer and says so", () => {
    const run = drive(newJob({ ...spec, limits: { maxRounds: 2 } }), (task) => (task.role === "critic" ? ok('{"pass":false,"feedback":"no"}') : ok(`draft ${task.round}`)));
    expect(run.job.status).toBe("succeeded");
    expect(run.job.result).toMatchObject({ text: "draft 2", passed: false });
    expect(run.job.reason).toBe("stopped after max_rounds (2) without a passing verdict");
    expect(run.calls).toHaveLength(4);
  });
});

describe("failures, bounds and control", () => {
  it("retries a retryable failure after a backoff, then fails the task when attempts run out", () => {
    const store = newJob({ kind: "fanout", branches: branches(1), limits: { taskRetries: 1 } });
    const first = drive(store, () => ({ ok: false, error: "503 upstream", retryable: true }));
    expect(first.calls).toEqual(["branch-1#1"]);
    expect(step(store, 0, new Set()).start).toEqual([]); // the retry waits for its backoff
    const second = drive(store, () => ({ ok: false, error: "503 again", retryable: true }), { now: 10_000 });
    expect(second.calls).toEqual(["branch-1#2"]);
    expect(second.job).toMatchObject({ status: "failed", reason: "all 1 branches failed (first error: 503 again)" });
  });

  it("does not retry a non-retryable failure", () => {
    const run = drive(newJob({ kind: "fanout", branches: branches(1) }), () => ({ ok: false, error: "400 guardrail_blocked", retryable: false }));
    expect(run.calls).toEqual(["branch-1#1"]);
    expect(run.job.status).toBe("failed");
  });

  it("times out a call, aborts it and ignores its late answer", () => {
    const store = newJob({ kind: "fanout", branches: branches(1), limits: { taskTimeoutMs: 1_000, taskRetries: 0 } });
    const run = drive(store, () => "hang");
    const later = step(store, 1_000, run.live);
    expect(later.abort).toEqual(["branch-1"]);
    expect(store.job()).toMatchObject({ status: "failed", reason: "all 1 branches failed (first error: timed out after 1000 ms)" });
    expect(recordOutcome(store, "branch-1", 1, ok("late"), 1_500)).toBe(false);
  });

  it("ends the job at its deadline", () => {
    const store = newJob({ kind: "fanout", branches: branches(2), limits: { deadlineMs: 5_000 } });
    const run = drive(store, () => "hang");
    expect(run.job.status).toBe("running");
    const result = step(store, 5_000, run.live);
    expect(result.abort.sort()).toEqual(["branch-1", "branch-2"]);
    expect(store.job()).toMatchObject({ status: "failed", reason: "deadline reached: the job may run 5000 ms" });
  });

  it("stops starting tasks once the cost budget is spent", () => {
    const run = drive(newJob({ kind: "fanout", branches: branches(4), limits: { concurrency: 2, budgetUsd: 0.01 } }), () => ok("x", 0.006));
    expect(run.calls).toEqual(["branch-1#1", "branch-2#1"]);
    expect(run.job.reason).toBe("cost budget reached: $0.012000 spent of $0.01");
  });

  it("fails a job that would create more tasks than its limit", () => {
    const run = drive(newJob({ kind: "fanout", branches: branches(3), strategy: { type: "best_of_n", judge: { model: "j" } }, limits: { maxTasks: 4 } }), () => ok('{"score":1,"reason":"r"}'));
    expect(run.job).toMatchObject({ status: "failed", reason: "task limit reached: the job may create at most 4 tasks" });
  });

  it("cancels: in-flight calls are aborted and a second cancel is a conflict", () => {
    const store = newJob({ kind: "fanout", branches: branches(2) });
    drive(store, () => "hang");
    const cancelled = cancelJob(store, 1);
    expect(cancelled).toEqual({ ok: true, status: "cancelled", abort: ["branch-1", "branch-2"] });
    expect(cancelJob(store, 2)).toMatchObject({ ok: false, reason: "conflict", status: "cancelled" });
  });

  it("holds the answer for approval; approve ends it, reject fails it, silence times it out", () => {
    const spec = { kind: "fanout", branches: branches(1), approval: { timeoutMs: 60_000 } };
    const approved = newJob(spec);
    expect(drive(approved, () => ok("draft")).job.status).toBe("waiting_approval");
    expect(decideApproval(approved, true, 10)).toMatchObject({ ok: true, status: "succeeded" });
    expect(approved.job()?.result?.text).toBe("draft");

    const rejected = newJob(spec);
    drive(rejected, () => ok("draft"));
    decideApproval(rejected, false, 10);
    expect(rejected.job()).toMatchObject({ status: "failed", reason: "rejected by a reviewer" });

    const silent = newJob(spec);
    drive(silent, () => ok("draft"));
    expect(step(silent, 30_000, new Set()).nextWakeAt).toBe(60_000);
    step(silent, 60_000, new Set());
    expect(silent.job()).toMatchObject({ status: "failed", reason: "approval timed out" });
    expect(decideApproval(silent, true, 60_001)).toMatchObject({ ok: false, reason: "conflict" });
  });
});

describe("resumption after a restart", () => {
  it("re-runs only the call that was in flight, as a new attempt, and never a completed task", () => {
    const store = newJob({ kind: "fanout", branches: branches(3) });
    const before = drive(store, (task) => (task.id === "branch-3" ? "hang" : ok(`done ${task.id}`)));
    expect(before.calls).toEqual(["branch-1#1", "branch-2#1", "branch-3#1"]);
    // A new coordinator instance over the same rows: nothing is in flight any more.
    const after = drive(store, (task) => ok(`done ${task.id}`), { live: new Set(), now: 1_000 });
    expect(after.calls).toEqual(["branch-3#2"]);
    expect(after.job.status).toBe("succeeded");
    expect(after.tasks.map((task) => task.attempt)).toEqual([1, 1, 2]);
  });

  it("running step twice at the same time claims nothing twice", () => {
    const store = newJob({ kind: "fanout", branches: branches(2) });
    const live = new Set<string>();
    const first = step(store, 0, live);
    first.start.forEach((task) => live.add(task.id));
    expect(first.start).toHaveLength(2);
    expect(step(store, 0, live).start).toEqual([]);
  });
});
