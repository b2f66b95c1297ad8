// An attempt's timer, on a fake clock: it fires at the deadline or when the caller cancels, and says
// which. The idle watchdog of a committed stream: steady events never trip it however long the stream
// runs, a silence longer than idleMs does (and only the wait that is silent), and it keeps no timer
// once stopped.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { abortAt, DeadlineExceeded, IdleWatchdog } from "../../../functions/gateway/attempt-timer";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A promise that resolves with `value` after `ms` of fake time. */
function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

describe("abortAt", () => {
  it("fires at the deadline and says so", async () => {
    const timer = abortAt(Date.now() + 100, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(99);
    expect([timer.signal.aborted, timer.fired()]).toEqual([false, undefined]);
    await vi.advanceTimersByTimeAsync(1);
    expect([timer.signal.aborted, timer.fired()]).toEqual([true, "deadline"]);
  });

  it("fires when the caller cancels, before the deadline, and says so", () => {
    const caller = new AbortController();
    const timer = abortAt(Date.now() + 100, caller.signal);
    caller.abort();
    expect([timer.signal.aborted, timer.fired()]).toEqual([true, "cancelled"]);
    expect(abortAt(Date.now() + 100, AbortSignal.abort()).fired()).toBe("cancelled");
  });

  it("stops listening once cleared: a later cancel or deadline changes nothing", async () => {
    const caller = new AbortController();
    const timer = abortAt(Date.now() + 100, caller.signal);
    timer.clear();
    caller.abort();
    await vi.advanceTimersByTimeAsync(200);
    expect([timer.signal.aborted, timer.fired()]).toEqual([false, undefined]);
  });
});

describe("IdleWatchdog", () => {
  it("lets a stream of events 40 ms apart run for far longer than idleMs (50 ms)", async () => {
    const watchdog = new IdleWatchdog(50);
    const received: number[] = [];
    const consume = (async () => {
      for (let index = 0; index < 20; index++) received.push(await watchdog.wait(after(40, index)));
    })();
    await vi.advanceTimersByTimeAsync(20 * 40);
    await consume;
    expect(received).toHaveLength(20);
    watchdog.stop();
  });

  it("rejects the wait that stays silent for idleMs, with DeadlineExceeded", async () => {
    const watchdog = new IdleWatchdog(50);
    expect(await (async () => {
      const first = watchdog.wait(after(30, "first"));
      await vi.advanceTimersByTimeAsync(30);
      return first;
    })()).toBe("first");
    const silent = watchdog.wait(new Promise<string>(() => {}));
    const outcome = silent.then(
      () => "resolved",
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(49);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(DeadlineExceeded);
  });

  it("passes on the waited promise's own rejection", async () => {
    const watchdog = new IdleWatchdog(50);
    await expect(watchdog.wait(Promise.reject(new Error("connection lost")))).rejects.toThrow("connection lost");
    watchdog.stop();
  });

  it("leaves no timer behind once stopped", async () => {
    const watchdog = new IdleWatchdog(50);
    const pending = watchdog.wait(after(10, "x"));
    await vi.advanceTimersByTimeAsync(10);
    await pending;
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
