// Deadlines for one upstream attempt: an AbortController that fires at a given epoch time, and a
// helper that races a promise against a deadline without leaving timers behind.

/** Aborts the returned signal at `deadline` (epoch ms); `clear()` cancels that. */
export function abortAt(deadline: number): { signal: AbortSignal; clear(): void; fired(): boolean } {
  const controller = new AbortController();
  let didFire = false;
  const timer = setTimeout(() => {
    didFire = true;
    controller.abort(new Error("deadline"));
  }, Math.max(0, deadline - Date.now()));
  return { signal: controller.signal, clear: () => clearTimeout(timer), fired: () => didFire };
}

export class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded";
}

/** Resolves like `promise`, or rejects with DeadlineExceeded once `ms` have passed. */
export async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
