// An in-memory JobStore for engine tests: the same contract as the SQLite store, rows copied in and
// out (as JSON) so the engine cannot keep references that a real store would not give it.
import type { JobEvent } from "@llm-edge/shared/jobs";
import type { JobRow, JobStore, TaskRow } from "../../../functions/fanout/rows";

export function memoryJobStore(): JobStore & { allEvents(): JobEvent[] } {
  let job: string | undefined;
  const tasks = new Map<string, string>();
  const events: JobEvent[] = [];
  const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return {
    job: () => (job === undefined ? undefined : (JSON.parse(job) as JobRow)),
    putJob: (row) => {
      job = JSON.stringify(row);
    },
    tasks: () => [...tasks.values()].map((row) => JSON.parse(row) as TaskRow).sort((a, b) => a.seq - b.seq),
    putTask: (row) => {
      tasks.set(row.id, JSON.stringify(row));
    },
    addEvent: (type, data, at) => {
      const event = { id: events.length + 1, type, at, data: copy(data) };
      events.push(event);
      return copy(event);
    },
    eventsAfter: (id, limit) => events.filter((event) => event.id > id).slice(0, limit).map(copy),
    allEvents: () => events.map(copy),
  };
}
