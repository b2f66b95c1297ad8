// Cancellation across RPC: the caller's probe says "true" once its signal aborts and "false" once its
// call ended first; the callee's signal aborts only on "true", and a probe that fails (the caller's
// stub is gone) cancels nothing.
import { describe, expect, it } from "vitest";
import { callWithCancellation, signalFromProbe, type CancelledProbe } from "@llm-edge/shared";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("callWithCancellation", () => {
  it("resolves the probe with true when the caller aborts during the call", async () => {
    const controller = new AbortController();
    let answer: Promise<boolean> | undefined;
    const call = callWithCancellation(controller.signal, (cancelled) => {
      answer = cancelled();
      return new Promise<string>((resolve) => setTimeout(() => resolve("late"), 20));
    });
    controller.abort();
    expect(await answer).toBe(true);
    expect(await call).toBe("late");
  });

  it("resolves the probe with false once the call ended without an abort", async () => {
    let answer: Promise<boolean> | undefined;
    const result = await callWithCancellation(new AbortController().signal, async (cancelled) => {
      answer = cancelled();
      return "done";
    });
    expect(result).toBe("done");
    expect(await answer).toBe(false);
  });

  it("answers true at once for a signal that had already aborted", async () => {
    await callWithCancellation(AbortSignal.abort(), async (cancelled) => expect(await cancelled()).toBe(true));
  });
});

describe("signalFromProbe", () => {
  it("is undefined without a probe", () => {
    expect(signalFromProbe(undefined)).toBeUndefined();
  });

  it("aborts when the probe says true, not when it says false or fails", async () => {
    const probes: Array<[CancelledProbe, boolean]> = [
      [async () => true, true],
      [async () => false, false],
      [() => Promise.reject(new Error("stub disposed")), false],
    ];
    for (const [probe, aborts] of probes) {
      const signal = signalFromProbe(probe)!;
      await tick();
      expect(signal.aborted).toBe(aborts);
    }
  });
});
