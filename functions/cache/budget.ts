// Time budgets for the cache's calls to Redis, Vector and the embedder. One Deadline spans the steps
// of an operation (a lookup: exact GET, embedding, vector query, payload GET); a step that fails or
// overruns becomes a reason such as "redis_unavailable" or "vector_timeout", never an exception.

export type Dependency = "redis" | "vector" | "embedding";

export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: string; error?: string };

/** Failure reasons that mean "a dependency let us down" (counted as failOpen), as opposed to a plain miss. */
export function isFailOpenReason(reason: string): boolean {
  return /^(redis|vector|embedding)_(timeout|unavailable)$/.test(reason);
}

export class Deadline {
  private readonly endsAt: number;

  /** `clock` is wall time in ms (performance.now by default); budgets are real time even when tests move the cache's clock. */
  constructor(
    budgetMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.endsAt = clock() + budgetMs;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one dependency call within what is left of the deadline. Resolves with the value, or with
 * `<dependency>_timeout` when the deadline passes first (the call is left to finish on its own) or
 * `<dependency>_unavailable` when it throws. Never rejects.
 */
export async function step<T>(dependency: Dependency, deadline: Deadline, work: () => Promise<T>): Promise<StepResult<T>> {
  const remaining = deadline.remainingMs();
  if (remaining <= 0) return { ok: false, reason: `${dependency}_timeout` };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), remaining);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(work).then((value) => ({ timedOut: false as const, value })), timeout]);
    if (outcome.timedOut) return { ok: false, reason: `${dependency}_timeout` };
    return { ok: true, value: outcome.value };
  } catch (error) {
    return { ok: false, reason: `${dependency}_unavailable`, error: describe(error) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
