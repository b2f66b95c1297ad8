// The alarm loop around the pure engine: runs `step`, starts the claimed tasks' calls (each with an
// AbortController), records their outcomes, and sleeps until a call ends, something pokes it, or the
// engine's next wake-up time. One loop per coordinator instance; a second `run` joins the first.
import { recordOutcome, step, type TaskOutcome } from "./engine";
import type { JobStore, TaskRow } from "./rows";

export interface DriverDeps {
  store: JobStore;
  /** Runs one attempt of a task; must resolve soon after `signal` aborts. */
  execute(task: TaskRow, signal: AbortSignal): Promise<TaskOutcome>;
  now(): number;
  /** Called after each step with the time the loop must run again if this instance goes away (undefined: never). */
  schedule(at: number | undefined): Promise<void> | void;
  /** Called after every stored change, so listeners (event streams) can look again. */
  changed?(): void;
  /** Outside input the engine cannot fetch itself (guardrail review decisions), stored before each step. */
  prepare?(): Promise<void>;
}

interface InFlight {
  attempt: number;
  controller: AbortController;
}

function stopCalls(controllers: AbortController[]): void {
  for (const controller of controllers) controller.abort(new Error("aborted by the coordinator"));
}

export class JobDriver {
  private readonly inFlight = new Map<string, InFlight>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A poke that came while the loop was not asleep; the next sleep returns at once (no lost wake-up). */
  private poked = false;

  constructor(private readonly deps: DriverDeps) {}

  /** Runs the loop until the job ends or waits with nothing in flight; joins a loop already running. */
  run(): Promise<void> {
    this.loop ??= this.runLoop().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  /** True while a loop runs in this instance. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Makes a sleeping loop look at the state again (after cancel, approve, a call ending). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Aborts the in-flight calls of these tasks. */
  abort(taskIds: Iterable<string>): void {
    stopCalls(this.controllers(taskIds));
  }

  /**
   * Aborts the calls in flight now for these tasks, on the next turn: their tasks are already stopped
   * in the rows (a late answer is ignored), so the outcome that stopped them (a `first` winner, the
   * job's end) reaches event streams before the work of winding the calls down competes with it.
   */
  private abortSoon(taskIds: Iterable<string>): void {
    const controllers = this.controllers(taskIds);
    if (controllers.length) setTimeout(() => stopCalls(controllers), 0);
  }

  private controllers(taskIds: Iterable<string>): AbortController[] {
    return [...taskIds].flatMap((id) => this.inFlight.get(id)?.controller ?? []);
  }

  /** Tasks with a call in flight in this instance. */
  live(): ReadonlySet<string> {
    return new Set(this.inFlight.keys());
  }

  private launch(task: TaskRow): void {
    const controller = new AbortController();
    this.inFlight.set(task.id, { attempt: task.attempt, controller });
    const settle = (outcome: TaskOutcome) => {
      if (this.inFlight.get(task.id)?.attempt === task.attempt) this.inFlight.delete(task.id);
      recordOutcome(this.deps.store, task.id, task.attempt, outcome, this.deps.now());
      this.poke();
      // A running loop steps next and reports the change with what the step decided (a `first`
      // winner ends the job there), so event streams get the outcome and its consequences at once.
      if (!this.running) this.deps.changed?.();
    };
    this.deps.execute(task, controller.signal).then(settle, (error: unknown) => settle({ ok: false, error: error instanceof Error ? error.message : String(error), retryable: true }));
  }

  private async runLoop(): Promise<void> {
    for (;;) {
      this.poked = false;
      await this.deps.prepare?.();
      const result = step(this.deps.store, this.deps.now(), this.live());
      this.deps.changed?.();
      this.abortSoon(result.abort);
      for (const task of result.start) this.launch(task);
      await this.deps.schedule(result.finished ? undefined : result.nextWakeAt);
      // A call that ended during `schedule` poked the loop: step again so its outcome is acted on.
      if (this.inFlight.size === 0 && !this.poked && (result.finished || result.start.length === 0)) return;
      await this.sleep(result.nextWakeAt);
    }
  }

  private sleep(until: number | undefined): Promise<void> {
    if (this.poked) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = until === undefined ? undefined : setTimeout(done, Math.max(0, until - this.deps.now()));
      function done() {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
