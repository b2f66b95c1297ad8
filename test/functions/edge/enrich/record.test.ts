// The consumer's pure decisions: reading intake entries (valid, malformed, directly XADDed without an
// id), reading a record hash in either deserialisation mode, the next step, backoff and the error list.
import { describe, expect, it } from "vitest";
import { EnrichmentConfigSchema } from "../../../../shared/enrich-config";
import { backoffDelayMs, entryFields, nextStep, parseEntry, parseRecordState, templateFor, withError, type RecordState } from "../../../../functions/edge/enrich/record";

const config = EnrichmentConfigSchema.parse({ events: { "order.paid": { template: "default" } } });

describe("parseEntry", () => {
  it("reads a record whose body is JSON text (deserialisation off) or already parsed (on)", () => {
    const body = { id: "r-1", text: "hello", template: "default" };
    for (const value of [JSON.stringify(body), body]) {
      const parsed = parseEntry("1700000000000-0", { kind: "record", body: value, at: "1700000000123" });
      expect(parsed).toMatchObject({ ok: true, id: "r-1", enqueuedAt: 1700000000123 });
    }
  });

  it("names a record without an id after its entry and takes the enqueue time from the entry id", () => {
    const parsed = parseEntry("1700000000999-3", entryFields(["kind", "record", "body", JSON.stringify({ text: "no id" })]));
    expect(parsed).toMatchObject({ ok: true, id: "e1700000000999-3", enqueuedAt: 1700000000999 });
  });

  it("explains what is wrong with a malformed entry", () => {
    expect(parseEntry("1-0", { kind: "record", body: "{oops" })).toMatchObject({ ok: false, id: "e1-0", reason: expect.stringMatching(/^malformed entry: body/) });
    expect(parseEntry("1-0", { kind: "nope", body: "{}" })).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed entry: kind/) });
    expect(parseEntry("1-0", { kind: "record", body: JSON.stringify({ id: "x-1", text: "" }) })).toMatchObject({ ok: false, id: "x-1", reason: expect.stringMatching(/body\.text/) });
    expect(parseEntry("1-0", undefined)).toMatchObject({ ok: false, reason: "the entry was deleted from the intake stream" });
  });

  it("routes events by type and refuses types without a trigger", () => {
    const paid = parseEntry("1-0", { kind: "event", body: { type: "order.paid", data: { amount: 3 } } });
    const other = parseEntry("1-0", { kind: "event", body: { type: "order.lost", data: "x" } });
    if (!paid.ok || !other.ok) throw new Error("expected valid entries");
    expect(templateFor(paid.entry, config)).toEqual({ ok: true, name: "default" });
    expect(templateFor(other.entry, config)).toEqual({ ok: false, reason: 'no template is configured for event type "order.lost"' });
  });
});

describe("parseRecordState", () => {
  it("reads numbers and JSON fields whether the client parsed them or not", () => {
    const raw = { kind: "record", status: "failed", attempts: "2", attemptsBase: 0, nextAttemptAt: "1700000005000", errors: JSON.stringify([{ attempt: 1, message: "boom", at: 1 }]), entryId: "1-0" };
    expect(parseRecordState(raw)).toMatchObject({ status: "failed", attempts: 2, attemptsBase: 0, nextAttemptAt: 1700000005000, errors: [{ attempt: 1, message: "boom" }], entryId: "1-0" });
    expect(parseRecordState({ ...raw, errors: [{ attempt: 1, message: "boom", at: 1 }], attempts: 2 })?.errors).toHaveLength(1);
  });

  it("treats a missing hash or one without a valid status as absent", () => {
    expect(parseRecordState(null)).toBeUndefined();
    expect(parseRecordState({ status: "exploded" })).toBeUndefined();
  });
});

describe("nextStep", () => {
  const base: RecordState = { kind: "record", status: "queued", attempts: 0, attemptsBase: 0, errors: [], entryId: "5-0" };

  it("starts the first attempt of a queued record", () => {
    expect(nextStep(base, "5-0", 1_000, 3)).toEqual({ step: "start", attempt: 1 });
  });

  it("acks a settled record and a second entry of the same id without doing anything else", () => {
    expect(nextStep({ ...base, status: "done" }, "5-0", 1_000, 3)).toEqual({ step: "ack", why: "settled" });
    expect(nextStep({ ...base, status: "running", jobId: "j" }, "6-0", 1_000, 3)).toEqual({ step: "ack", why: "duplicate" });
  });

  it("looks at the running job, waits out a backoff, then retries", () => {
    expect(nextStep({ ...base, status: "running", attempts: 2, jobId: "enrich-r-2" }, "5-0", 1_000, 3)).toEqual({ step: "check", jobId: "enrich-r-2", attempt: 2 });
    const failed = { ...base, status: "failed" as const, attempts: 1, nextAttemptAt: 2_000 };
    expect(nextStep(failed, "5-0", 1_999, 3)).toEqual({ step: "wait", until: 2_000 });
    expect(nextStep(failed, "5-0", 2_000, 3)).toEqual({ step: "start", attempt: 2 });
  });

  it("counts attempts from the last replay", () => {
    const replayed = { ...base, status: "queued" as const, attempts: 3, attemptsBase: 3 };
    expect(nextStep(replayed, "5-0", 0, 3)).toEqual({ step: "start", attempt: 4 });
    expect(nextStep({ ...replayed, attemptsBase: 0 }, "5-0", 0, 3)).toEqual({ step: "dead_letter" });
  });
});

describe("backoffDelayMs", () => {
  const backoff = { baseMs: 1_000, maxMs: 5_000 };

  it("doubles per failed attempt up to the cap, with equal jitter between half and the whole", () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, backoff, () => 1))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, backoff, () => 0))).toEqual([500, 1_000, 2_000, 2_500]);
  });
});

describe("withError", () => {
  it("adds an attempt's error once", () => {
    const once = withError([], { attempt: 1, message: "a", at: 1 });
    expect(withError(once, { attempt: 1, message: "a again", at: 2 })).toBe(once);
    expect(withError(once, { attempt: 2, message: "b", at: 3 })).toHaveLength(2);
  });
});
