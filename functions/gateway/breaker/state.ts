// The circuit breaker of one target in one isolate, as a pure state machine: the clock is passed in,
// nothing here does I/O. closed → open on consecutive failures or a failure ratio over a sliding
// window (SLA breaches and invalid outputs count as failures); open → half_open when the cooldown ends;
// half_open → closed on a probe's success, back to open (longer cooldown) on its failure.
import type { BreakerPolicy } from "@llm-edge/shared";

export type { BreakerPolicy } from "@llm-edge/shared";

export type BreakerState = "closed" | "open" | "half_open";
/** How an attempt ended; `invalid` = the provider answered but its output failed validation. */
export type Outcome = "success" | "failure" | "invalid";
export type AcquireResult = { allowed: true; probe: boolean } | { allowed: false; retryInMs: number };

export interface BreakerSnapshot {
  state: BreakerState;
  /** Consecutive trips since the breaker last closed (drives the cooldown doubling). */
  trips: number;
  openedAt?: number;
  openUntil?: number;
  /** Failures and requests in the sliding window (while closed). */
  failures: number;
  requests: number;
  consecutiveFailures: number;
  /** Lamport-style counter of open/close decisions; the higher version is the newer decision. */
  version: number;
}

/** The part of a breaker that isolates share: the last open/closed decision and its version. */
export type SharedBreakerState = Pick<BreakerSnapshot, "state" | "trips" | "openedAt" | "openUntil" | "version">;

const WINDOW_BUCKETS = 10;

/** Outcome counts in time buckets, so memory stays bounded and old outcomes fall out on their own. */
class SlidingWindow {
  private readonly bucketMs: number;
  private readonly epochs: number[] = new Array<number>(WINDOW_BUCKETS).fill(Number.NEGATIVE_INFINITY);
  private readonly requests: number[] = new Array<number>(WINDOW_BUCKETS).fill(0);
  private readonly failures: number[] = new Array<number>(WINDOW_BUCKETS).fill(0);

  constructor(windowMs: number) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / WINDOW_BUCKETS));
  }

  add(now: number, failed: boolean): void {
    const epoch = Math.floor(now / this.bucketMs);
    const index = ((epoch % WINDOW_BUCKETS) + WINDOW_BUCKETS) % WINDOW_BUCKETS;
    if (this.epochs[index] !== epoch) {
      this.epochs[index] = epoch;
      this.requests[index] = 0;
      this.failures[index] = 0;
    }
    this.requests[index] = (this.requests[index] ?? 0) + 1;
    if (failed) this.failures[index] = (this.failures[index] ?? 0) + 1;
  }

  totals(now: number): { requests: number; failures: number } {
    const current = Math.floor(now / this.bucketMs);
    let requests = 0;
    let failures = 0;
    for (let index = 0; index < WINDOW_BUCKETS; index++) {
      const epoch = this.epochs[index] ?? Number.NEGATIVE_INFINITY;
      if (epoch > current - WINDOW_BUCKETS && epoch <= current) {
        requests += this.requests[index] ?? 0;
        failures += this.failures[index] ?? 0;
      }
    }
    return { requests, failures };
  }

  clear(): void {
    this.epochs.fill(Number.NEGATIVE_INFINITY);
  }
}

export class CircuitBreaker {
  readonly policy: BreakerPolicy;
  private decision: "open" | "closed" = "closed";
  private trips = 0;
  private openedAt: number | undefined;
  private openUntil: number | undefined;
  private version = 0;
  private consecutiveFailures = 0;
  private readonly window: SlidingWindow;
  /** When each probe in flight was admitted; a probe older than maxCooldownMs is presumed lost. */
  private probeLeases: number[] = [];

  constructor(policy: BreakerPolicy) {
    this.policy = policy;
    this.window = new SlidingWindow(policy.windowMs);
  }

  /**
   * May a request go to this target now? closed → yes; open → no, with the ms until half-open;
   * half_open → yes as a probe while fewer than halfOpenProbes probes are in flight, otherwise no
   * (retryInMs is then a hint: about one cooldown). Never does I/O.
   */
  tryAcquire(now: number): AcquireResult {
    const state = this.state(now);
    if (state === "closed") return { allowed: true, probe: false };
    if (state === "open") return { allowed: false, retryInMs: Math.max(0, (this.openUntil ?? now) - now) };
    this.probeLeases = this.probeLeases.filter((admittedAt) => now - admittedAt < this.policy.maxCooldownMs);
    if (this.probeLeases.length < this.policy.halfOpenProbes) {
      this.probeLeases.push(now);
      return { allowed: true, probe: true };
    }
    const oldest = this.probeLeases[0] ?? now;
    return { allowed: false, retryInMs: Math.min(this.policy.cooldownMs, oldest + this.policy.maxCooldownMs - now) };
  }

  /**
   * Records an attempt's outcome. A success slower than latencySlaMs counts as a failure ("SLA
   * breach"), and so does `invalid`. Trips (closed → open) when consecutive failures reach
   * consecutiveFailures, or when, over the sliding window, requests ≥ minRequests and
   * failures/requests ≥ failureRatio. A probe's success closes the breaker (and resets counts and
   * trips); a probe's failure re-opens it with the cooldown doubled per consecutive trip, capped at
   * maxCooldownMs. Outcomes that arrive while open (requests admitted before the trip) are dropped.
   */
  record(outcome: Outcome, latencyMs: number, now: number, probe: boolean): void {
    const failed = outcome !== "success" || (this.policy.latencySlaMs !== undefined && latencyMs > this.policy.latencySlaMs);
    const state = this.state(now);
    if (probe) {
      this.probeLeases.shift();
      if (state === "half_open") {
        if (failed) this.open(now);
        else this.close();
        return;
      }
    }
    if (state !== "closed") return;
    this.window.add(now, failed);
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    if (this.shouldTrip(now)) this.open(now);
  }

  /** A probe that was acquired but never recorded (aborted request) gives its slot back. */
  releaseProbe(): void {
    this.probeLeases.shift();
  }

  /** The state at `now`: open becomes half_open once openUntil has passed. */
  state(now: number): BreakerState {
    if (this.decision === "closed") return "closed";
    return now >= (this.openUntil ?? now) ? "half_open" : "open";
  }

  /** Everything /health and the registry need to know about this breaker at `now`. */
  snapshot(now: number): BreakerSnapshot {
    const { requests, failures } = this.window.totals(now);
    return {
      state: this.state(now),
      trips: this.trips,
      ...(this.openedAt !== undefined ? { openedAt: this.openedAt } : {}),
      ...(this.openUntil !== undefined ? { openUntil: this.openUntil } : {}),
      failures,
      requests,
      consecutiveFailures: this.consecutiveFailures,
      version: this.version,
    };
  }

  /** The last decision as shared with other isolates: state is "open" or "closed", never derived from time. */
  shared(): SharedBreakerState {
    return {
      state: this.decision,
      trips: this.trips,
      ...(this.openedAt !== undefined ? { openedAt: this.openedAt } : {}),
      ...(this.openUntil !== undefined ? { openUntil: this.openUntil } : {}),
      version: this.version,
    };
  }

  /**
   * Adopts another isolate's newer open/closed decision: a higher version wins; on equal versions the
   * later openUntil wins (so a tie never closes a breaker). `half_open` counts as open. Adopting a
   * decision resets probes in flight; adopting open (or closing an open breaker) also clears the
   * window. Returns whether anything changed.
   */
  adopt(remote: SharedBreakerState): boolean {
    const remoteOpen = remote.state !== "closed";
    if (remoteOpen && remote.openUntil === undefined) return false;
    const remoteUntil = remote.openUntil ?? Number.NEGATIVE_INFINITY;
    const localUntil = this.openUntil ?? Number.NEGATIVE_INFINITY;
    const newer = remote.version > this.version || (remote.version === this.version && remoteOpen && remoteUntil > localUntil);
    if (!newer) return false;
    if (remoteOpen || this.decision === "open") this.clearCounts();
    this.decision = remoteOpen ? "open" : "closed";
    this.trips = remoteOpen ? Math.max(1, remote.trips) : 0;
    this.openedAt = remoteOpen ? (remote.openedAt ?? remote.openUntil) : undefined;
    this.openUntil = remoteOpen ? remote.openUntil : undefined;
    this.version = remote.version;
    this.probeLeases = [];
    return true;
  }

  private shouldTrip(now: number): boolean {
    if (this.consecutiveFailures >= this.policy.consecutiveFailures) return true;
    const { requests, failures } = this.window.totals(now);
    return requests >= this.policy.minRequests && failures / requests >= this.policy.failureRatio;
  }

  private open(now: number): void {
    this.trips += 1;
    const cooldown = Math.min(this.policy.maxCooldownMs, this.policy.cooldownMs * 2 ** Math.min(this.trips - 1, 30));
    this.decision = "open";
    this.openedAt = now;
    this.openUntil = now + cooldown;
    this.version += 1;
    this.clearCounts();
    this.probeLeases = [];
  }

  private close(): void {
    this.decision = "closed";
    this.trips = 0;
    this.openedAt = undefined;
    this.openUntil = undefined;
    this.version += 1;
    this.clearCounts();
    this.probeLeases = [];
  }

  private clearCounts(): void {
    this.window.clear();
    this.consecutiveFailures = 0;
  }
}
