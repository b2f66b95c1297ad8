// The gateway's circuit breakers: one CircuitBreaker per target per isolate, kept in step across
// isolates through Upstash Redis. Decisions are local and instant; trips and closes are pushed in the
// background (ctx.waitUntil(registry.sync())), and half-open probes take a cluster-wide permit so all
// isolates together send at most halfOpenProbes probes.
//
// Why Upstash Redis and not a Durable Object per target: Redis is already a dependency of the
// platform (cache payloads, rate limits, review queue); Upstash replicates globally and is reachable
// from every colo with low latency, while a per-target Durable Object would pin the state to one
// location and add a cross-region hop to every sync. The breaker only needs eventually-shared trips
// (a versioned hash per target, written by a compare-on-version script so a stale isolate cannot
// overwrite a newer decision) plus an atomic probe permit, which INCR with an expiry gives.
import { createLogger, type Logger } from "@llm-edge/shared";
import { CircuitBreaker, type BreakerPolicy, type BreakerSnapshot, type Outcome, type SharedBreakerState } from "./state";

/**
 * The Upstash Redis surface the registry needs: EVAL. `@upstash/redis` (and `@upstash/redis/cloudflare`
 * in Workers) `Redis` satisfies it; create it with `retry: false` so a store outage costs one timeout.
 */
export interface BreakerStore {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

export interface BreakerRegistryOptions {
  /** Without a store the breakers are per-isolate only. */
  store?: BreakerStore;
  /** Prepended to every key, e.g. "prod:" → "prod:breaker:openai/gpt-4o". */
  keyPrefix?: string;
  /** A sync with nothing to push runs at most this often. */
  syncIntervalMs?: number;
  /** How long a half-open acquire waits for a cluster probe permit before deciding locally. */
  storeTimeoutMs?: number;
  /** How long a background sync waits for the store. */
  syncTimeoutMs?: number;
  /** A target's shared state expires this long after its last decision (abandoned targets vanish). */
  stateTtlMs?: number;
  now?: () => number;
  log?: Logger;
}

export type RegistryAcquireResult =
  /** `permit`: for probes, whether the cluster granted it or the store was unavailable and this isolate decided alone. */
  | { allowed: true; probe: boolean; permit?: "cluster" | "local" }
  | { allowed: false; retryInMs: number };

/**
 * Pushes the decisions marked in ARGV (compare on version; a tie keeps the later openUntil) and
 * returns every key's stored decision. KEYS: breaker hashes. ARGV[1]: ttl ms; then per key 6 values:
 * push flag ("1"/"0"), state, trips, openedAt, openUntil, version.
 */
const SYNC_SCRIPT = `
local rows = {}
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 6
  if ARGV[at] == '1' then
    local stored = redis.call('HMGET', key, 'version', 'openUntil')
    local storedVersion = tonumber(stored[1]) or -1
    local storedUntil = tonumber(stored[2]) or -1
    local version = tonumber(ARGV[at + 5])
    local openUntil = tonumber(ARGV[at + 4]) or -1
    if version > storedVersion or (version == storedVersion and openUntil > storedUntil) then
      redis.call('HSET', key, 'state', ARGV[at + 1], 'trips', ARGV[at + 2], 'openedAt', ARGV[at + 3], 'openUntil', ARGV[at + 4], 'version', ARGV[at + 5])
      redis.call('PEXPIRE', key, ARGV[1])
    end
  end
  rows[i] = redis.call('HMGET', key, 'state', 'trips', 'openedAt', 'openUntil', 'version')
end
return rows`;

/**
 * Takes one probe permit for the caller's open decision unless the store already holds a newer one.
 * KEYS[1]: breaker hash, KEYS[2]: permit counter of this decision. ARGV: local version, permit ttl ms.
 * Returns {permits taken so far (0 = not asked), permit ttl ms, stored decision}.
 */
const PROBE_SCRIPT = `
local stored = redis.call('HMGET', KEYS[1], 'state', 'trips', 'openedAt', 'openUntil', 'version')
if (tonumber(stored[5]) or -1) > tonumber(ARGV[1]) then
  return {0, 0, stored}
end
local permits = redis.call('INCR', KEYS[2])
if permits == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return {permits, redis.call('PTTL', KEYS[2]), stored}`;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs `work` but stops waiting after `ms`; the work itself is not cancelled (its result is ignored). */
async function withDeadline<T>(work: () => Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: new Error(`store did not answer within ${ms} ms`) }), ms);
  });
  const settled = Promise.resolve()
    .then(work)
    .then(
      (value): Settled<T> => ({ ok: true, value }),
      (error: unknown): Settled<T> => ({ ok: false, error }),
    );
  try {
    return await Promise.race([settled, deadline]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function numberOrUndefined(value: unknown): number | undefined {
  const parsed = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** A stored HMGET row [state, trips, openedAt, openUntil, version] → a decision, or undefined when absent or malformed. */
function parseStoredDecision(row: unknown): SharedBreakerState | undefined {
  if (!Array.isArray(row)) return undefined;
  const [state, trips, openedAt, openUntil, version] = row as unknown[];
  const parsedVersion = numberOrUndefined(version);
  if ((state !== "open" && state !== "closed") || parsedVersion === undefined) return undefined;
  const parsedUntil = numberOrUndefined(openUntil);
  if (state === "open" && parsedUntil === undefined) return undefined;
  const parsedOpenedAt = numberOrUndefined(openedAt);
  return {
    state,
    trips: numberOrUndefined(trips) ?? 0,
    ...(parsedOpenedAt !== undefined ? { openedAt: parsedOpenedAt } : {}),
    ...(parsedUntil !== undefined ? { openUntil: parsedUntil } : {}),
    version: parsedVersion,
  };
}

export class BreakerRegistry {
  private readonly store: BreakerStore | undefined;
  private readonly keyPrefix: string;
  private readonly syncIntervalMs: number;
  private readonly storeTimeoutMs: number;
  private readonly syncTimeoutMs: number;
  private readonly stateTtlMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Targets with a local decision (trip/close) the store has not seen yet. */
  private readonly dirty = new Set<string>();
  /** Targets created since the last successful sync: pull their shared state soon. */
  private readonly unpulled = new Set<string>();
  /** The cluster refused a probe permit for this decision until then: ask again only afterwards. */
  private readonly permitDenied = new Map<string, { version: number; until: number }>();
  private lastSyncAttemptAt = Number.NEGATIVE_INFINITY;
  private lastSyncFailed = false;
  private syncing: Promise<void> | undefined;

  constructor(options: BreakerRegistryOptions = {}) {
    this.store = options.store;
    this.keyPrefix = options.keyPrefix ?? "";
    this.syncIntervalMs = options.syncIntervalMs ?? 1_000;
    this.storeTimeoutMs = options.storeTimeoutMs ?? 150;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 2_000;
    this.stateTtlMs = options.stateTtlMs ?? 24 * 60 * 60 * 1_000;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? createLogger({ worker: "gateway", module: "breaker" });
  }

  /** The breaker of `targetId` in this isolate, created with `policy` on first use (later policies are ignored). */
  breaker(targetId: string, policy: BreakerPolicy): CircuitBreaker {
    let breaker = this.breakers.get(targetId);
    if (!breaker) {
      breaker = new CircuitBreaker(policy);
      this.breakers.set(targetId, breaker);
      this.unpulled.add(targetId);
    }
    return breaker;
  }

  /**
   * Like breaker.tryAcquire, but in half_open asks the store for one of the cluster-wide probe permits
   * (atomic INCR with expiry on a key per target and decision), so N isolates together send at most
   * halfOpenProbes probes; a newer decision found in the store is adopted on the way. Store slow or
   * down → decides locally and says so (`permit: "local"`, and a warning). Closed/open → no I/O at all.
   */
  async acquire(targetId: string, policy: BreakerPolicy): Promise<RegistryAcquireResult> {
    const breaker = this.breaker(targetId, policy);
    for (let round = 0; round < 2; round++) {
      const now = this.now();
      const local = breaker.tryAcquire(now);
      if (!local.allowed || !local.probe || !this.store) return local;

      const decision = breaker.shared();
      const denied = this.permitDenied.get(targetId);
      if (denied && denied.version === decision.version && denied.until > now) {
        breaker.releaseProbe();
        return { allowed: false, retryInMs: denied.until - now };
      }
      const cooldownMs = decision.openUntil !== undefined && decision.openedAt !== undefined ? decision.openUntil - decision.openedAt : policy.cooldownMs;
      const permitTtlMs = Math.max(1, Math.round(cooldownMs));
      const stateKey = this.stateKey(targetId);
      const store = this.store;
      const answer = await withDeadline(
        () => store.eval(PROBE_SCRIPT, [stateKey, `${stateKey}:probe:${decision.version}`], [String(decision.version), String(permitTtlMs)]),
        this.storeTimeoutMs,
      );
      const reply = answer.ok && Array.isArray(answer.value) ? (answer.value as unknown[]) : undefined;
      const permits = numberOrUndefined(reply?.[0]);
      if (!reply || permits === undefined) {
        this.log.warn("breaker probe permit unavailable; probing on local decision", {
          targetId,
          error: answer.ok ? "unexpected reply" : answer.error,
        });
        return { allowed: true, probe: true, permit: "local" };
      }
      // permits 0: the store holds a newer decision and took no permit; adopt it and decide again under it
      const stored = permits === 0 ? parseStoredDecision(reply[2]) : undefined;
      if (stored && breaker.adopt(stored)) continue;
      if (permits >= 1 && permits <= policy.halfOpenProbes) return { allowed: true, probe: true, permit: "cluster" };
      breaker.releaseProbe();
      const retryInMs = Math.max(0, numberOrUndefined(reply[1]) ?? permitTtlMs);
      this.permitDenied.set(targetId, { version: decision.version, until: now + retryInMs });
      return { allowed: false, retryInMs };
    }
    return { allowed: false, retryInMs: policy.cooldownMs };
  }

  /** Records an attempt's outcome locally (see CircuitBreaker.record); a trip or close is marked for the next sync. */
  record(targetId: string, outcome: Outcome, latencyMs: number, probe: boolean): void {
    const breaker = this.breakers.get(targetId);
    if (!breaker) return;
    const before = breaker.shared();
    breaker.record(outcome, latencyMs, this.now(), probe);
    const after = breaker.shared();
    if (after.version === before.version) return;
    this.dirty.add(targetId);
    if (after.state === "open") this.log.warn("breaker opened", { targetId, trips: after.trips, openUntil: after.openUntil });
    else this.log.info("breaker closed", { targetId });
  }

  /** A probe that was acquired but never recorded (aborted request) gives its local slot back. */
  releaseProbe(targetId: string): void {
    this.breakers.get(targetId)?.releaseProbe();
  }

  /**
   * Background sync (pass it to ctx.waitUntil): pushes local trips/closes to the store (compare on
   * version, so a stale isolate cannot overwrite a newer decision), pulls every known target's shared
   * decision and adopts newer ones. Skipped when the last attempt was less than syncIntervalMs ago and
   * there is nothing new to push or pull (or the store just failed). Never throws: store errors are
   * logged and the pending changes retried next time. Concurrent calls share one run.
   */
  sync(): Promise<void> {
    const store = this.store;
    if (!store || this.breakers.size === 0) return Promise.resolve();
    if (this.syncing) return this.syncing;
    const now = this.now();
    const urgent = (this.dirty.size > 0 || this.unpulled.size > 0) && !this.lastSyncFailed;
    if (!urgent && now - this.lastSyncAttemptAt < this.syncIntervalMs) return Promise.resolve();
    this.syncing = this.runSync(store, now).finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** For /health: every known target's snapshot at `now` (default: the registry's clock). */
  snapshots(now: number = this.now()): Record<string, BreakerSnapshot> {
    return Object.fromEntries([...this.breakers].map(([targetId, breaker]) => [targetId, breaker.snapshot(now)]));
  }

  private stateKey(targetId: string): string {
    return `${this.keyPrefix}breaker:${targetId}`;
  }

  private async runSync(store: BreakerStore, now: number): Promise<void> {
    this.lastSyncAttemptAt = now;
    const targets = [...this.breakers.keys()];
    const pushed = new Set(this.dirty);
    const pulled = new Set(this.unpulled);
    this.dirty.clear();
    this.unpulled.clear();

    const args = [String(this.stateTtlMs)];
    for (const targetId of targets) {
      const decision = this.breakers.get(targetId)?.shared();
      const push = decision !== undefined && pushed.has(targetId);
      args.push(
        push ? "1" : "0",
        decision?.state ?? "",
        String(decision?.trips ?? 0),
        decision?.openedAt === undefined ? "" : String(decision.openedAt),
        decision?.openUntil === undefined ? "" : String(decision.openUntil),
        String(decision?.version ?? 0),
      );
    }
    const answer = await withDeadline(() => store.eval(SYNC_SCRIPT, targets.map((targetId) => this.stateKey(targetId)), args), this.syncTimeoutMs);
    if (!answer.ok || !Array.isArray(answer.value)) {
      for (const targetId of pushed) this.dirty.add(targetId);
      for (const targetId of pulled) this.unpulled.add(targetId);
      this.lastSyncFailed = true;
      this.log.warn("breaker sync failed; will retry", { targets: targets.length, error: answer.ok ? "unexpected reply" : answer.error });
      return;
    }
    this.lastSyncFailed = false;
    const rows = answer.value as unknown[];
    targets.forEach((targetId, index) => {
      const stored = parseStoredDecision(rows[index]);
      const breaker = this.breakers.get(targetId);
      if (stored && breaker?.adopt(stored)) {
        this.log.info("breaker adopted shared decision", { targetId, state: stored.state, version: stored.version });
      }
    });
  }
}
