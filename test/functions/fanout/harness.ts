// The engine test harness: a job over an in-memory store, stepped with a scripted model (the engine's
// call boundary) so every scenario is exact — time from an injected clock, "hang" keeps a call in flight.
import { JobSpecSchema } from "../../../shared/jobs";
import { createJob, recordOutcome, step, type TaskOutcome } from "../../../functions/fanout/engine";
import type { TaskRow } from "../../../functions/fanout/rows";
import { memoryJobStore } from "./memory-store";

export const ask = (text: string) => [{ role: "user", content: text }];
export const ok = (text: string, costUsd = 0.001): TaskOutcome => ({ ok: true, text, tokens: 10, costUsd });

export type Script = (task: TaskRow) => TaskOutcome | "hang";

export function newJob(input: Record<string, unknown>) {
  const store = memoryJobStore();
  createJob(store, { id: "job1", tenant: "t", traceparent: "tp", spec: JobSpecSchema.parse(input), now: 0 });
  return store;
}

/** Steps the engine, answering started calls by script at once ("hang" keeps them in flight). */
export function drive(store: ReturnType<typeof memoryJobStore>, script: Script, options: { now?: number; live?: Set<string> } = {}) {
  const live = options.live ?? new Set<string>();
  const calls: string[] = [];
  const aborted: string[] = [];
  let maxInFlight = 0;
  for (let guard = 0; guard < 200; guard += 1) {
    const result = step(store, options.now ?? 0, live);
    aborted.push(...result.abort);
    result.abort.forEach((id) => live.delete(id));
    for (const task of result.start) {
      calls.push(`${task.id}#${task.attempt}`);
      live.add(task.id);
    }
    maxInFlight = Math.max(maxInFlight, live.size);
    const answerable = result.start.map((task) => ({ task, outcome: script(task) })).filter((entry) => entry.outcome !== "hang");
    for (const { task, outcome } of answerable) {
      live.delete(task.id);
      recordOutcome(store, task.id, task.attempt, outcome as TaskOutcome, options.now ?? 0);
    }
    if (result.finished || (result.start.length === 0 && answerable.length === 0)) break;
  }
  return { calls, aborted, maxInFlight, live, job: store.job()!, tasks: store.tasks() };
}

export const branches = (n: number, model = "m") => Array.from({ length: n }, (_, i) => ({ model, messages: ask(`q${i + 1}`) }));
