// The pure breaker state machine, driven by an explicit clock: trip rules (consecutive failures,
// ratio over a sliding window, SLA breaches, invalid outputs), half-open probes, cooldown doubling
// with its cap, probe release, and the rules for adopting another isolate's decision.
import { describe, expect, it } from "vitest";
import { DEFAULT_BREAKER_POLICY } from "../../../../functions/gateway/breaker/policy";
import { BreakerPolicySchema, type BreakerPolicy } from "../../../../shared/policies";
import { CircuitBreaker } from "../../../../functions/gateway/breaker/state";

const T0 = 1_700_000_000_000;

function policy(overrides: Partial<BreakerPolicy> = {}): BreakerPolicy {
  return BreakerPolicySchema.parse({ windowMs: 10_000, minRequests: 4, failureRatio: 0.5, consecutiveFailures: 3, cooldownMs: 1_000, maxCooldownMs: 5_000, ...overrides });
}

function record(breaker: CircuitBreaker, outcomes: Array<"success" | "failure" | "invalid">, at: number, latencyMs = 10): void {
  for (const outcome of outcomes) breaker.record(outcome, latencyMs, at, false);
}

/** Trips a fresh breaker by consecutive failures at `at` and returns it. */
function tripped(overrides: Partial<BreakerPolicy> = {}, at = T0): CircuitBreaker {
  const breaker = new CircuitBreaker(policy(overrides));
  record(breaker, ["failure", "failure", "failure"], at);
  expect(breaker.state(at)).toBe("open");
  return breaker;
}

describe("policy", () => {
  it("has the documented defaults", () => {
    expect(DEFAULT_BREAKER_POLICY).toEqual({
      windowMs: 30_000,
      minRequests: 10,
      failureRatio: 0.5,
      consecutiveFailures: 5,
      cooldownMs: 5_000,
      maxCooldownMs: 60_000,
      halfOpenProbes: 1,
    });
  });

  it("rejects a cap below the cooldown, naming the field", () => {
    const result = BreakerPolicySchema.safeParse({ cooldownMs: 10_000, maxCooldownMs: 1_000 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["maxCooldownMs"]);
  });
});

describe("tripping", () => {
  it("opens after consecutiveFailures failures in a row and refuses requests until the cooldown ends", () => {
    const breaker = new CircuitBreaker(policy());
    record(breaker, ["failure", "failure"], T0);
    expect(breaker.tryAcquire(T0)).toEqual({ allowed: true, probe: false });
    record(breaker, ["failure"], T0);
    expect(breaker.tryAcquire(T0 + 400)).toEqual({ allowed: false, retryInMs: 600 });
    expect(breaker.snapshot(T0 + 400)).toMatchObject({ state: "open", trips: 1, openedAt: T0, openUntil: T0 + 1_000, version: 1 });
  });

  it("a success in between resets the consecutive count", () => {
    const breaker = new CircuitBreaker(policy({ minRequests: 100 }));
    record(breaker, ["failure", "failure", "success", "failure", "failure"], T0);
    expect(breaker.state(T0)).toBe("closed");
    expect(breaker.snapshot(T0).consecutiveFailures).toBe(2);
  });

  it("trips on the failure ratio only once the window holds minRequests", () => {
    const breaker = new CircuitBreaker(policy({ consecutiveFailures: 100, minRequests: 6 }));
    record(breaker, ["failure", "success", "failure", "success", "failure"], T0);
    expect(breaker.state(T0)).toBe("closed"); // 3/5 failed, but only 5 requests
    record(breaker, ["success"], T0);
    expect(breaker.state(T0)).toBe("open"); // 3/6 = 0.5 ≥ 0.5
  });

  it("stays closed while the ratio is below failureRatio", () => {
    const breaker = new CircuitBreaker(policy({ consecutiveFailures: 100, failureRatio: 0.6 }));
    record(breaker, ["success", "failure", "success", "failure", "success", "success", "failure", "success"], T0);
    expect(breaker.state(T0)).toBe("closed");
    expect(breaker.snapshot(T0)).toMatchObject({ requests: 8, failures: 3 });
  });

  it("lets outcomes leave the window after windowMs", () => {
    const breaker = new CircuitBreaker(policy({ consecutiveFailures: 100, minRequests: 4 }));
    record(breaker, ["failure", "failure", "success"], T0);
    expect(breaker.snapshot(T0 + 8_999)).toMatchObject({ requests: 3, failures: 2 });
    expect(breaker.snapshot(T0 + 10_000)).toMatchObject({ requests: 0, failures: 0 });
    // the two old failures are gone, so two fresh successes and a failure do not reach the ratio
    record(breaker, ["success", "success", "failure", "success"], T0 + 10_000);
    expect(breaker.state(T0 + 10_000)).toBe("closed");
  });

  it("would trip on the same outcomes inside one window (control for the test above)", () => {
    const breaker = new CircuitBreaker(policy({ consecutiveFailures: 100, minRequests: 4 }));
    record(breaker, ["failure", "failure", "success"], T0);
    record(breaker, ["success"], T0 + 5_000);
    expect(breaker.state(T0 + 5_000)).toBe("open");
  });

  it("counts a success slower than latencySlaMs as a failure", () => {
    const breaker = new CircuitBreaker(policy({ latencySlaMs: 2_000, minRequests: 100 }));
    record(breaker, ["success", "success"], T0, 2_500);
    expect(breaker.snapshot(T0)).toMatchObject({ state: "closed", requests: 2, failures: 2, consecutiveFailures: 2 });
    record(breaker, ["success"], T0, 2_000); // exactly at the SLA is fine
    expect(breaker.snapshot(T0)).toMatchObject({ state: "closed", requests: 3, failures: 2, consecutiveFailures: 0 });
    record(breaker, ["success", "success", "success"], T0, 9_000);
    expect(breaker.state(T0)).toBe("open");
  });

  it("ignores latency when no SLA is set", () => {
    const breaker = new CircuitBreaker(policy());
    record(breaker, ["success", "success", "success", "success"], T0, 60_000);
    expect(breaker.snapshot(T0)).toMatchObject({ state: "closed", failures: 0 });
  });

  it("counts invalid outputs as failures", () => {
    const breaker = new CircuitBreaker(policy());
    record(breaker, ["invalid", "invalid", "invalid"], T0);
    expect(breaker.state(T0)).toBe("open");
  });

  it("drops outcomes that arrive while open (requests admitted before the trip)", () => {
    const breaker = tripped();
    record(breaker, ["failure", "failure"], T0 + 100);
    expect(breaker.snapshot(T0 + 100)).toMatchObject({ state: "open", trips: 1, failures: 0, version: 1 });
  });
});

describe("half-open", () => {
  it("becomes half_open when the cooldown ends and admits exactly halfOpenProbes probes", () => {
    const breaker = tripped({ halfOpenProbes: 2 });
    expect(breaker.state(T0 + 999)).toBe("open");
    expect(breaker.state(T0 + 1_000)).toBe("half_open");
    expect(breaker.tryAcquire(T0 + 1_000)).toEqual({ allowed: true, probe: true });
    expect(breaker.tryAcquire(T0 + 1_001)).toEqual({ allowed: true, probe: true });
    expect(breaker.tryAcquire(T0 + 1_002).allowed).toBe(false);
  });

  it("closes on a probe's success and resets counts and trips", () => {
    const breaker = tripped();
    expect(breaker.tryAcquire(T0 + 1_000)).toEqual({ allowed: true, probe: true });
    breaker.record("success", 10, T0 + 1_050, true);
    expect(breaker.snapshot(T0 + 1_050)).toEqual({ state: "closed", trips: 0, failures: 0, requests: 0, consecutiveFailures: 0, version: 2 });
    expect(breaker.tryAcquire(T0 + 1_060)).toEqual({ allowed: true, probe: false });
    // it takes a full consecutiveFailures run again to trip
    record(breaker, ["failure", "failure"], T0 + 1_100);
    expect(breaker.state(T0 + 1_100)).toBe("closed");
  });

  it("re-opens on a probe's failure with the cooldown doubled per consecutive trip, up to the cap", () => {
    const breaker = tripped({ cooldownMs: 1_000, maxCooldownMs: 5_000 });
    let now = T0 + 1_000;
    const cooldowns: number[] = [];
    for (let trip = 0; trip < 5; trip++) {
      expect(breaker.tryAcquire(now)).toEqual({ allowed: true, probe: true });
      breaker.record("failure", 10, now, true);
      const snapshot = breaker.snapshot(now);
      cooldowns.push((snapshot.openUntil ?? 0) - now);
      expect(breaker.tryAcquire(now).allowed).toBe(false);
      now = snapshot.openUntil ?? now;
    }
    expect(cooldowns).toEqual([2_000, 4_000, 5_000, 5_000, 5_000]);
    expect(breaker.snapshot(now).trips).toBe(6);
  });

  it("a probe's SLA breach or invalid output re-opens it too", () => {
    const slow = tripped({ latencySlaMs: 500 });
    slow.tryAcquire(T0 + 1_000);
    slow.record("success", 800, T0 + 1_800, true);
    expect(slow.state(T0 + 1_800)).toBe("open");

    const invalid = tripped();
    invalid.tryAcquire(T0 + 1_000);
    invalid.record("invalid", 10, T0 + 1_010, true);
    expect(invalid.state(T0 + 1_010)).toBe("open");
  });

  it("releaseProbe frees the slot of an aborted probe", () => {
    const breaker = tripped();
    expect(breaker.tryAcquire(T0 + 1_000).allowed).toBe(true);
    expect(breaker.tryAcquire(T0 + 1_001).allowed).toBe(false);
    breaker.releaseProbe();
    expect(breaker.tryAcquire(T0 + 1_002)).toEqual({ allowed: true, probe: true });
    expect(breaker.state(T0 + 1_002)).toBe("half_open");
  });

  it("reclaims a probe slot nobody gave back after maxCooldownMs", () => {
    const breaker = tripped({ cooldownMs: 1_000, maxCooldownMs: 5_000 });
    expect(breaker.tryAcquire(T0 + 1_000).allowed).toBe(true);
    expect(breaker.tryAcquire(T0 + 5_999).allowed).toBe(false);
    expect(breaker.tryAcquire(T0 + 6_000)).toEqual({ allowed: true, probe: true });
  });
});

describe("adopt", () => {
  it("adopts a newer open decision: requests are refused until its openUntil", () => {
    const breaker = new CircuitBreaker(policy());
    record(breaker, ["failure", "failure"], T0);
    expect(breaker.adopt({ state: "open", trips: 1, openedAt: T0, openUntil: T0 + 3_000, version: 1 })).toBe(true);
    expect(breaker.tryAcquire(T0 + 1_000)).toEqual({ allowed: false, retryInMs: 2_000 });
    expect(breaker.snapshot(T0 + 1_000)).toMatchObject({ state: "open", version: 1, consecutiveFailures: 0 });
    expect(breaker.state(T0 + 3_000)).toBe("half_open");
  });

  it("adopts a newer close: an open breaker admits requests again", () => {
    const breaker = tripped();
    expect(breaker.adopt({ state: "closed", trips: 0, version: 2 })).toBe(true);
    expect(breaker.tryAcquire(T0 + 10)).toEqual({ allowed: true, probe: false });
    expect(breaker.snapshot(T0 + 10)).toMatchObject({ state: "closed", trips: 0, version: 2 });
  });

  it("ignores an older decision", () => {
    const breaker = tripped();
    breaker.tryAcquire(T0 + 1_000);
    breaker.record("success", 10, T0 + 1_000, true); // closed, version 2
    expect(breaker.adopt({ state: "open", trips: 1, openedAt: T0, openUntil: T0 + 50_000, version: 1 })).toBe(false);
    expect(breaker.state(T0 + 1_000)).toBe("closed");
  });

  it("on a version tie keeps the later openUntil", () => {
    const breaker = tripped(); // version 1, open until T0 + 1000
    expect(breaker.adopt({ state: "open", trips: 1, openedAt: T0, openUntil: T0 + 500, version: 1 })).toBe(false);
    expect(breaker.snapshot(T0).openUntil).toBe(T0 + 1_000);
    expect(breaker.adopt({ state: "open", trips: 1, openedAt: T0, openUntil: T0 + 4_000, version: 1 })).toBe(true);
    expect(breaker.tryAcquire(T0 + 2_000)).toEqual({ allowed: false, retryInMs: 2_000 });
  });

  it("a tie never closes an open breaker", () => {
    const breaker = tripped();
    expect(breaker.adopt({ state: "closed", trips: 0, version: 1 })).toBe(false);
    expect(breaker.state(T0)).toBe("open");
  });

  it("continues the version after adopting, so its own next decision is newer", () => {
    const breaker = new CircuitBreaker(policy());
    breaker.adopt({ state: "closed", trips: 0, version: 7 });
    record(breaker, ["failure", "failure", "failure"], T0);
    expect(breaker.snapshot(T0)).toMatchObject({ state: "open", version: 8 });
  });

  it("resets probes in flight when adopting, and continues the trip count for the cooldown", () => {
    const breaker = tripped();
    expect(breaker.tryAcquire(T0 + 1_000).allowed).toBe(true);
    breaker.adopt({ state: "open", trips: 3, openedAt: T0 + 1_000, openUntil: T0 + 2_000, version: 5 });
    expect(breaker.tryAcquire(T0 + 2_000)).toEqual({ allowed: true, probe: true });
    breaker.record("failure", 10, T0 + 2_000, true);
    expect(breaker.snapshot(T0 + 2_000)).toMatchObject({ trips: 4, openUntil: T0 + 2_000 + 5_000, version: 6 });
  });

  it("keeps its own window when a newer close arrives while it is closed", () => {
    const breaker = new CircuitBreaker(policy());
    record(breaker, ["failure", "failure"], T0);
    breaker.adopt({ state: "closed", trips: 0, version: 4 });
    record(breaker, ["failure"], T0);
    expect(breaker.state(T0)).toBe("open");
  });

  it("ignores an open decision without openUntil", () => {
    const breaker = new CircuitBreaker(policy());
    expect(breaker.adopt({ state: "open", trips: 1, version: 9 })).toBe(false);
    expect(breaker.state(T0)).toBe("closed");
  });
});
