// Deadlines for one upstream attempt: an AbortController that fires at a given epoch time, and the
// idle watchdog of a committed stream (one timer per stream, not one per event).

export interface AttemptTimer {
  signal: AbortSignal;
  clear(): void;
  /** Why the signal fired: the deadline passed, or the caller cancelled; undefined while it has not. */
  fired(): "deadline" | "cancelled" | undefined;
}

/** Aborts the returned signal at `deadline` (epoch ms) or when `caller` aborts; `clear()` stops both. */
export function abortAt(deadline: number, caller?: AbortSignal): AttemptTimer {
  const controller = new AbortController();
  let why: "deadline" | "cancelled" | undefined;
  const fire = (reason: "deadline" | "cancelled") => {
    why ??= reason;
    controller.abort(new Error(reason));
  };
  const timer = setTimeout(() => fire("deadline"), Math.max(0, deadline - Date.now()));
  const onCancel = () => fire("cancelled");
  if (caller?.aborted) onCancel();
  else caller?.addEventListener("abort", onCancel, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onCancel);
    },
    fired: () => why,
  };
}

export class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
}

/**
 * Bounds the silence between upstream events of a stream: `wait(promise)` rejects with
 * DeadlineExceeded once `idleMs` pass after the wait began without `promise` settling. One timer
 * serves the whole stream — it is re-armed only when it fires while events keep coming — instead of
 * one timer per event. `now` is injectable for tests; `stop()` clears the timer when the stream ends.
 */
export class IdleWatchdog {
  private waitStartedAt = 0;
  private rejectWait: ((error: DeadlineExceeded) => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  wait<T>(promise: Promise<T>): Promise<T> {
    this.waitStartedAt = this.now();
    return new Promise<T>((resolve, reject) => {
      this.rejectWait = reject;
      promise.then(
        (value) => {
          this.rejectWait = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.rejectWait = undefined;
          reject(error);
        },
      );
      if (this.timer === undefined) this.arm(this.idleMs);
    });
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.rejectWait = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(0, ms));
  }

  private check(): void {
    this.timer = undefined;
    const reject = this.rejectWait;
    if (!reject) return;
    const quietFor = this.now() - this.waitStartedAt;
    if (quietFor < this.idleMs) return this.arm(this.idleMs - quietFor);
    this.rejectWait = undefined;
    reject(new DeadlineExceeded());
  }
}
