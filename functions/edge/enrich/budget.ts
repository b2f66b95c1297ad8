// The bounds of one cron run: a wall-time budget and a subrequest budget (Upstash HTTP calls and RPC
// calls both count against the platform's per-invocation subrequest limit). The consumer asks before
// each step whether it still fits, and leaves the rest for the next run.

export class RunBudget {
  private spent = 0;
  private readonly deadline: number;

  constructor(
    private readonly limits: { timeBudgetMs: number; subrequestBudget: number },
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + limits.timeBudgetMs;
  }

  /** True while `subrequests` more calls fit and time is left. */
  allows(subrequests = 1): boolean {
    return this.spent + subrequests <= this.limits.subrequestBudget && this.now() < this.deadline;
  }

  /** Counts calls made. */
  spend(subrequests = 1): void {
    this.spent += subrequests;
  }

  get subrequests(): number {
    return this.spent;
  }

  /** Milliseconds left (0 when over). */
  timeLeftMs(): number {
    return Math.max(0, this.deadline - this.now());
  }
}
