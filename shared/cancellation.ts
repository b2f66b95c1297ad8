// Cancelling a call across Workers RPC, which has no AbortSignal of its own: the caller passes a
// function the callee calls once; it resolves true when the caller's signal aborts (the callee then
// aborts its own work, e.g. the upstream fetch) and false once the caller's call has ended anyway.

/** What the callee receives: call once; true means "the caller gave up, stop". */
export type CancelledProbe = () => Promise<boolean>;

/**
 * The caller's half: a probe for `signal`, passed to `call`, and the call's result. The probe's
 * promise always settles (false when the call ends first), so nothing waits forever on either side.
 */
export function callWithCancellation<T>(signal: AbortSignal, call: (cancelled: CancelledProbe) => Promise<T>): Promise<T> {
  let ended!: () => void;
  const callEnded = new Promise<boolean>((resolve) => (ended = () => resolve(false)));
  const cancelled: CancelledProbe = () =>
    signal.aborted
      ? Promise.resolve(true)
      : Promise.race([callEnded, new Promise<boolean>((resolve) => signal.addEventListener("abort", () => resolve(true), { once: true }))]);
  return call(cancelled).finally(ended);
}

/** The callee's half: an AbortSignal that fires when the caller's probe says so; undefined without a probe. */
export function signalFromProbe(cancelled: CancelledProbe | undefined): AbortSignal | undefined {
  if (!cancelled) return undefined;
  const controller = new AbortController();
  // A probe that fails (the caller's stub is gone once the call returned) means nothing to cancel.
  cancelled().then(
    (yes) => yes && controller.abort(new Error("cancelled by the caller")),
    () => undefined,
  );
  return controller.signal;
}
