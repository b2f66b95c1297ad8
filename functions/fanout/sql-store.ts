// The JobStore on a Durable Object's SQLite storage: tables jobs (one row: this object's job),
// tasks and events. Rows keep their fields as JSON beside the columns the queries need. Writes
// through ctx.storage.sql are durable before any outgoing message leaves the object (output gate).
// The object is the only writer of its database, so the job and task rows are also kept in memory
// (written through, read once after a start): the engine reads every row several times per step and
// would otherwise parse its JSON each time. Rows given to or read from the store are frozen, so no
// caller can change one behind the store's back.
import type { JobEvent } from "@llm-edge/shared/jobs";
import type { JobRow, JobStore, TaskRow } from "./rows";

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, status TEXT NOT NULL, data TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL)",
];

/** Creates the tables when missing; safe to run on every start. */
export function migrateJobTables(sql: SqlStorage): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A JobStore over one Durable Object's SQLite database. */
export function sqlJobStore(sql: SqlStorage): JobStore {
  let job: { row: JobRow | undefined } | undefined;
  let tasks: Map<string, TaskRow> | undefined;
  const loadTasks = () =>
    (tasks ??= new Map(
      sql
        .exec<{ data: string }>("SELECT data FROM tasks ORDER BY seq")
        .toArray()
        .map((row) => deepFreeze(JSON.parse(row.data) as TaskRow))
        .map((task) => [task.id, task]),
    ));
  return {
    job() {
      job ??= { row: sql.exec<{ data: string }>("SELECT data FROM jobs LIMIT 1").toArray().map((row) => deepFreeze(JSON.parse(row.data) as JobRow))[0] };
      return job.row;
    },
    putJob(row) {
      sql.exec("INSERT INTO jobs (id, status, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data", row.id, row.status, JSON.stringify(row));
      job = { row: deepFreeze(row) };
    },
    tasks() {
      return [...loadTasks().values()].sort((a, b) => a.seq - b.seq);
    },
    putTask(task) {
      const cached = loadTasks();
      sql.exec(
        "INSERT INTO tasks (id, seq, status, data) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data",
        task.id,
        task.seq,
        task.status,
        JSON.stringify(task),
      );
      cached.set(task.id, deepFreeze(task));
    },
    addEvent(type, data, at) {
      const row = sql.exec<{ id: number }>("INSERT INTO events (type, at, data) VALUES (?, ?, ?) RETURNING id", type, at, JSON.stringify(data)).one();
      return { id: row.id, type, at, data };
    },
    eventsAfter(id, limit) {
      return sql
        .exec<{ id: number; type: string; at: number; data: string }>("SELECT id, type, at, data FROM events WHERE id > ? ORDER BY id LIMIT ?", id, limit)
        .toArray()
        .map((row): JobEvent => ({ id: row.id, type: row.type, at: row.at, data: JSON.parse(row.data) as Record<string, unknown> }));
    },
  };
}
