// Retry decisions: full-jitter backoff bounds (with an injected random), every Retry-After form, the
// retryable status table, and the budget / attempts cut-off of nextDelayMs.
import { describe, expect, it } from "vitest";
import { backoffDelayMs, isRetryableStatus, nextDelayMs, retryAfterMs } from "../../../functions/gateway/retry";
import { RetryPolicySchema } from "../../../shared/policies";
import { seededRandom } from "../../support/random";

const policy = RetryPolicySchema.parse({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 });
const lowest = () => 0;
const highest = () => 0.999_999;

describe("backoffDelayMs (full jitter)", () => {
  it("draws 0 when random gives 0, at any failure count", () => {
    for (const failures of [1, 2, 5, 30]) expect(backoffDelayMs(failures, policy, lowest)).toBe(0);
  });

  it("doubles the upper bound with each failure until the cap", () => {
    expect([1, 2, 3, 4, 5].map((failures) => backoffDelayMs(failures, policy, highest))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it("never exceeds maxDelayMs, even at huge failure counts", () => {
    for (const failures of [5, 10, 64, 1_000, 1e9]) expect(backoffDelayMs(failures, policy, highest)).toBe(1_000);
  });

  it("spreads draws uniformly over [0, bound]", () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 2_000 }, () => backoffDelayMs(3, policy, random));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(400);
    const mean = draws.reduce((sum, draw) => sum + draw, 0) / draws.length;
    expect(mean).toBeGreaterThan(170);
    expect(mean).toBeLessThan(230);
    expect(draws.filter((draw) => draw > 300).length).toBeGreaterThan(300);
  });

  it("maps the middle of the random range to the middle of the bound", () => {
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(100);
  });

  it("waits nothing before any failure and with a zero base", () => {
    expect(backoffDelayMs(0, policy, highest)).toBe(0);
    expect(backoffDelayMs(4, { ...policy, baseDelayMs: 0 }, highest)).toBe(0);
  });

  it("applies the documented defaults", () => {
    expect(RetryPolicySchema.parse({})).toEqual({ maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 });
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const headers = (init: Record<string, string>) => new Headers(init);

  it("reads retry-after-ms as milliseconds, fractions included", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "1500" }), now)).toBe(1_500);
    expect(retryAfterMs(headers({ "retry-after-ms": "20.5" }), now)).toBe(20.5);
  });

  it("reads retry-after as delta-seconds", () => {
    expect(retryAfterMs(headers({ "retry-after": "3" }), now)).toBe(3_000);
    expect(retryAfterMs(headers({ "retry-after": "0" }), now)).toBe(0);
  });

  it("reads retry-after as an HTTP date relative to now", () => {
    expect(retryAfterMs(headers({ "retry-after": "Sun, 01 Mar 2026 12:00:30 GMT" }), now)).toBe(30_000);
  });

  it("gives 0 for a date in the past", () => {
    expect(retryAfterMs(headers({ "retry-after": "Sun, 01 Mar 2026 11:59:00 GMT" }), now)).toBe(0);
  });

  it("prefers retry-after-ms over retry-after", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "250", "retry-after": "10" }), now)).toBe(250);
  });

  it("falls back to retry-after when retry-after-ms is unusable", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "soon", "retry-after": "2" }), now)).toBe(2_000);
  });

  it("is undefined when absent, garbage or negative", () => {
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    for (const value of ["soon", "", "-5", "1e3", "12abc", "Tuesday", "hello 2020"]) {
      expect(retryAfterMs(headers({ "retry-after": value }), now), value).toBeUndefined();
    }
    expect(retryAfterMs(headers({ "retry-after-ms": "-100" }), now)).toBeUndefined();
  });
});

describe("isRetryableStatus", () => {
  it.each([
    [408, true],
    [409, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [529, true],
    [599, true],
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
    [422, false],
    [600, false],
  ])("%i → %s", (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe("nextDelayMs", () => {
  it("waits the jittered backoff when the provider said nothing", () => {
    expect(nextDelayMs({ failures: 2, policy, remainingBudgetMs: 10_000, random: highest })).toBe(200);
  });

  it("waits at least what Retry-After asked, even beyond the backoff cap", () => {
    expect(nextDelayMs({ failures: 1, policy, retryAfterMs: 3_000, remainingBudgetMs: 10_000, random: highest })).toBe(3_000);
  });

  it("keeps the backoff when it is longer than Retry-After", () => {
    expect(nextDelayMs({ failures: 4, policy, retryAfterMs: 10, remainingBudgetMs: 10_000, random: highest })).toBe(800);
  });

  it("says move on when the wait does not fit in the remaining budget", () => {
    expect(nextDelayMs({ failures: 1, policy, retryAfterMs: 3_000, remainingBudgetMs: 2_999, random: lowest })).toBeUndefined();
    expect(nextDelayMs({ failures: 1, policy, retryAfterMs: 3_000, remainingBudgetMs: 3_000, random: lowest })).toBeUndefined();
    expect(nextDelayMs({ failures: 4, policy, remainingBudgetMs: 500, random: highest })).toBeUndefined();
    expect(nextDelayMs({ failures: 4, policy, remainingBudgetMs: 801, random: highest })).toBe(800);
  });

  it("says move on once the policy's attempts are used up", () => {
    expect(nextDelayMs({ failures: 4, policy, remainingBudgetMs: 60_000, random: lowest })).toBe(0);
    expect(nextDelayMs({ failures: 5, policy, remainingBudgetMs: 60_000, random: lowest })).toBeUndefined();
  });
});
