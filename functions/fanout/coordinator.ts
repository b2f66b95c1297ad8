// JobCoordinator: one Durable Object per job, its state in the object's SQLite storage.
// The job engine (tasks, events, alarm loop) comes with the fan-out issue; the schema is set up here.
import { DurableObject } from "cloudflare:workers";

export class JobCoordinator extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    });
  }

  /** A SQLite round trip: writes and reads back a heartbeat, returning its timestamp. */
  ping(): number {
    const now = Date.now();
    this.ctx.storage.sql.exec("INSERT INTO meta (key, value) VALUES ('heartbeat', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", String(now));
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'heartbeat'").one();
    return Number(row.value);
  }
}
