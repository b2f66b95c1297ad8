// The driver loop with real asynchronous calls: the concurrency bound holds while calls overlap,
// `first` aborts the losers' signals, and a new instance over the same rows (an eviction) runs only
// the call that was lost — the old instance's late answer is ignored.
import { describe, expect, it } from "vitest";
import { JobSpecSchema } from "../../../shared/jobs";
import { JobDriver } from "../../../functions/fanout/driver";
import { createJob, type TaskOutcome } from "../../../functions/fanout/engine";
import type { TaskRow } from "../../../functions/fanout/rows";
import { memoryJobStore } from "./memory-store";

const branches = (n: number) => Array.from({ length: n }, (_, i) => ({ model: "m", messages: [{ role: "user", content: `q${i + 1}` }] }));

function setup(input: Record<string, unknown>) {
  const store = memoryJobStore();
  createJob(store, { id: "job1", tenant: "t", traceparent: "tp", spec: JobSpecSchema.parse(input), now: Date.now() });
  return store;
}

/** A call that answers when released (or reports an abort). */
function controllable() {
  const waiting = new Map<string, (outcome: TaskOutcome) => void>();
  const execute = (task: TaskRow, signal: AbortSignal) =>
    new Promise<TaskOutcome>((resolve) => {
      waiting.set(`${task.id}#${task.attempt}`, resolve);
      signal.addEventListener("abort", () => resolve({ ok: false, error: "aborted", retryable: false }), { once: true });
    });
  return { waiting, execute };
}

describe("JobDriver", () => {
  it("keeps at most `concurrency` calls in flight and runs every branch exactly once", async () => {
    const store = setup({ kind: "fanout", branches: branches(8), limits: { concurrency: 3 } });
    let inFlight = 0;
    let peak = 0;
    const started: string[] = [];
    const driver = new JobDriver({
      store,
      now: () => Date.now(),
      schedule: () => {},
      execute: async (task) => {
        started.push(task.id);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return { ok: true, text: task.id, tokens: 1, costUsd: 0 };
      },
    });
    await driver.run();
    expect(store.job()?.status).toBe("succeeded");
    expect(peak).toBe(3);
    expect(started.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `branch-${i + 1}`).sort());
  });

  it("first: aborts the calls still running once one answers", async () => {
    const store = setup({ kind: "fanout", branches: branches(3), strategy: "first" });
    const calls = controllable();
    const driver = new JobDriver({ store, now: () => Date.now(), schedule: () => {}, execute: calls.execute });
    const done = driver.run();
    await new Promise((resolve) => setImmediate(resolve));
    calls.waiting.get("branch-2#1")!({ ok: true, text: "fast", tokens: 1, costUsd: 0 });
    await done;
    expect(store.job()?.result).toMatchObject({ winner: "branch-2", text: "fast" });
    expect(store.tasks().map((task) => `${task.id}:${task.status}`)).toEqual(["branch-1:cancelled", "branch-2:succeeded", "branch-3:cancelled"]);
  });

  it("first: listeners hear of the winner and the job's end before the losers' calls are aborted", async () => {
    const store = setup({ kind: "fanout", branches: branches(3), strategy: "first" });
    const calls = controllable();
    const seen: string[] = [];
    const driver = new JobDriver({
      store,
      now: () => Date.now(),
      schedule: () => {},
      changed: () => seen.push(`changed:${store.job()?.status}`),
      execute: (task, signal) => {
        signal.addEventListener("abort", () => seen.push(`aborted:${task.id}`), { once: true });
        return calls.execute(task, signal);
      },
    });
    const done = driver.run();
    await new Promise((resolve) => setImmediate(resolve));
    calls.waiting.get("branch-1#1")!({ ok: true, text: "fast", tokens: 1, costUsd: 0 });
    await done;
    const ended = seen.indexOf("changed:succeeded");
    expect(ended).toBeGreaterThanOrEqual(0);
    expect(seen.slice(0, ended).filter((entry) => entry.startsWith("aborted:"))).toEqual([]);
    expect(seen.filter((entry) => entry.startsWith("aborted:")).sort()).toEqual(["aborted:branch-2", "aborted:branch-3"]);
  });

  it("a call that ends while the loop stores its wake-up is still acted on in the same run", async () => {
    const store = setup({ kind: "fanout", branches: branches(2) });
    const calls = controllable();
    let schedules = 0;
    const driver = new JobDriver({
      store,
      now: () => Date.now(),
      execute: calls.execute,
      schedule: async () => {
        schedules += 1;
        // Each branch answers while `schedule` is pending: branch-1 during the first, branch-2 during the second.
        calls.waiting.get(`branch-${schedules}#1`)?.({ ok: true, text: `a${schedules}`, tokens: 1, costUsd: 0 });
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    await driver.run();
    expect(store.job()?.status).toBe("succeeded");
    expect(store.job()?.result?.answers?.map((answer) => answer.text)).toEqual(["a1", "a2"]);
  });

  it("after an eviction, a new instance re-runs only the lost call; the old instance's answer is ignored", async () => {
    const store = setup({ kind: "fanout", branches: branches(3) });
    const old = controllable();
    const evicted = new JobDriver({ store, now: () => Date.now(), schedule: () => {}, execute: old.execute });
    const oldLoop = evicted.run();
    await new Promise((resolve) => setImmediate(resolve));
    old.waiting.get("branch-1#1")!({ ok: true, text: "one", tokens: 1, costUsd: 0 });
    old.waiting.get("branch-2#1")!({ ok: true, text: "two", tokens: 1, costUsd: 0 });
    await new Promise((resolve) => setImmediate(resolve));

    const executed: string[] = [];
    const fresh = new JobDriver({
      store,
      now: () => Date.now(),
      schedule: () => {},
      execute: async (task) => {
        executed.push(`${task.id}#${task.attempt}`);
        return { ok: true, text: "three (again)", tokens: 1, costUsd: 0 };
      },
    });
    await fresh.run();
    expect(executed).toEqual(["branch-3#2"]);
    // The old instance's call finally answers: attempt 1 is superseded, so nothing changes.
    old.waiting.get("branch-3#1")!({ ok: true, text: "three (late)", tokens: 1, costUsd: 0 });
    await oldLoop;
    expect(store.job()?.result?.answers?.map((answer) => answer.text)).toEqual(["one", "two", "three (again)"]);
  });
});
