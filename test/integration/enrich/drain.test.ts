// Cron enrichment end to end: records posted to /v1/enrich are drained by scheduled runs into fan-out
// jobs; each record ends with one result in the result stream and its hash (GET /v1/enrich/:id), and
// the intake entry is acknowledged. A branch that always fails sends its record to the dead-letter
// stream after maxAttempts with every attempt's error; a replay runs it again. Events run their
// configured template and land in the same result stream.
import { afterEach, describe, expect, it } from "vitest";
import { fault, resetSim, simCalls, simLog } from "../support";
import { api, drainUntil, getRecord, keys, logLength, logLines, NONCE, pendingCount, streamEntries, type RecordBody } from "./support";

afterEach(resetSim);

describe("cron enrichment", () => {
  it("drains a backlog: one result per record, every branch answered, nothing left pending", async () => {
    const before = await simCalls("t-enr-sum", "t-enr-kpi");
    const logFrom = logLength();
    const records = Array.from({ length: 14 }, (_, index) => ({ text: `Quarterly report ${NONCE}-${index}: revenue grew ${index}%.`, template: "t-drain" }));
    const response = await api("/enrich", { body: { records } });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { object: string; data: Array<{ id: string; status: string; duplicate: boolean }> };
    expect(accepted.object).toBe("list");
    expect(accepted.data).toHaveLength(14);
    expect(accepted.data.every((item) => item.status === "queued" && !item.duplicate && /^rec_[0-9a-f]{32}$/.test(item.id))).toBe(true);
    const ids = accepted.data.map((item) => item.id);

    const done = await drainUntil(ids, ["done"]);
    for (const [index, record] of done.entries()) {
      expect(record.attempts).toBe(1);
      expect(record.errors).toEqual([]);
      expect(record.result?.branches.summary?.text).toContain("[simulated t-enr-sum]");
      expect(record.result?.branches.summary?.text).toContain(`${NONCE}-${index}`);
      const kpis = record.result?.branches.kpis?.json as { kpis: Array<{ name: string; value: number }> };
      expect(kpis.kpis.length).toBeGreaterThanOrEqual(1);
      expect(typeof kpis.kpis[0]!.value).toBe("number");
    }
    const results = (await streamEntries(keys.results)).filter((entry) => ids.includes(entry.fields.id!));
    expect(results).toHaveLength(14);
    expect(new Set(results.map((entry) => entry.fields.id)).size).toBe(14);
    expect(results.every((entry) => entry.fields.kind === "record" && entry.fields.template === "t-drain")).toBe(true);
    const after = await simCalls("t-enr-sum", "t-enr-kpi");
    expect(after["t-enr-sum"]! - before["t-enr-sum"]!).toBe(14);
    expect(after["t-enr-kpi"]! - before["t-enr-kpi"]!).toBe(14);
    // the KPI branch asked for structured output with its schema
    const kpiCall = (await simLog("t-enr-kpi")).at(-1)!;
    expect((kpiCall.body.response_format as { type: string }).type).toBe("json_schema");
    expect(await pendingCount()).toBe(0);

    const drains = logLines("enrichment drain", logFrom);
    expect(drains.length).toBeGreaterThan(0);
    expect(drains.reduce((sum, line) => sum + Number(line.done), 0)).toBe(14);
    expect(drains.every((line) => typeof line.subrequests === "number" && typeof line.durationMs === "number")).toBe(true);
  });

  it("sends a record whose branch always fails to the dead-letter stream after 3 attempts, with each attempt's error", async () => {
    await fault({ model: "t-enr-dlq", status: 500 });
    const before = await simCalls("t-enr-dlq");
    const id = `dlq-${NONCE}`;
    expect((await api("/enrich", { body: { id, text: "This one never works.", template: "t-dlq" } })).status).toBe(202);

    const [record] = (await drainUntil([id], ["dead_lettered"])) as [RecordBody];
    expect(record.attempts).toBe(3);
    expect(record.errors.map((error) => error.attempt)).toEqual([1, 2, 3]);
    expect(record.errors.every((error) => error.message.includes("t-enr-dlq") && error.message.includes("500"))).toBe(true);
    expect(record.reason).toMatch(/failed 3 attempts/);
    expect(record.result).toBeUndefined();
    const after = await simCalls("t-enr-dlq");
    expect(after["t-enr-dlq"]! - before["t-enr-dlq"]!).toBe(3);

    const dead = (await streamEntries(keys.dead)).filter((entry) => entry.fields.id === id);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.fields.attempts).toBe("3");
    expect((JSON.parse(dead[0]!.fields.errors!) as unknown[]).length).toBe(3);
    expect(JSON.parse(dead[0]!.fields.body!)).toMatchObject({ id, text: "This one never works." });
    expect((await streamEntries(keys.results)).some((entry) => entry.fields.id === id)).toBe(false);
    expect(await pendingCount()).toBe(0);

    // Fixed upstream: a replay runs it once more with a fresh attempt budget and stores the result.
    await resetSim();
    expect((await api(`/enrich/${id}/replay`, { method: "POST" })).status).toBe(202);
    const [replayed] = (await drainUntil([id], ["done"])) as [RecordBody];
    expect(replayed.attempts).toBe(4);
    expect(replayed.errors).toHaveLength(3);
    expect(replayed.result?.branches.summary?.text).toContain("[simulated t-enr-dlq]");
    expect((await streamEntries(keys.results)).filter((entry) => entry.fields.id === id)).toHaveLength(1);
    const replayAgain = await api(`/enrich/${id}/replay`, { method: "POST" });
    expect(replayAgain.status).toBe(409);
  });

  it("runs an event's configured template and appends the outcome to the result stream", async () => {
    const response = await api("/events", { body: { type: "invoice.created", data: { invoice: `INV-${NONCE}`, amount: 1200 } } });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(response.headers.get("location")).toBe(`/v1/events/${id}`);
    await drainUntil([id], ["done"]);
    const event = (await (await api(`/events/${id}`)).json()) as RecordBody;
    expect(event.kind).toBe("event");
    expect(event.type).toBe("invoice.created");
    expect(event.result?.branches.summary?.text).toContain(`INV-${NONCE}`);
    const call = (await simLog("t-enr-evt")).at(-1)!;
    const messages = call.body.messages as Array<{ role: string; content: string }>;
    expect(messages.at(-1)!.content).toContain('Event "invoice.created"');
    const audit = (await streamEntries(keys.results)).filter((entry) => entry.fields.id === id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.fields).toMatchObject({ kind: "event", type: "invoice.created", template: "t-event" });

    const unknown = await api("/events", { body: { type: "nobody.listens", data: "x" } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: "unknown_event_type", param: "type" });
  });
});

describe("enrichment intake", () => {
  it("accepts a caller id once, validates bodies and keeps records per tenant", async () => {
    const id = `idem-${NONCE}`;
    const first = await api("/enrich", { body: { id, text: "Once only.", template: "t-drain" } });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ id, status: "queued", duplicate: false });
    const second = await api("/enrich", { body: { id, text: "Once only, again.", template: "t-drain" } });
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ id, duplicate: true });
    const entries = (await streamEntries(keys.intake)).filter((entry) => entry.fields.body?.includes(`"${id}"`));
    expect(entries).toHaveLength(1);
    expect((await getRecord(id)).status).toBe("queued");

    const otherTenant = await api(`/enrich/${id}`, { apiKey: "sk-test-other" });
    expect(otherTenant.status).toBe(404);
    expect(((await otherTenant.json()) as { error: { code: string } }).error.code).toBe("record_not_found");

    const badJson = await api("/enrich", { raw: "{not json" });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
    const emptyText = await api("/enrich", { body: { records: [{ text: "fine" }, { text: "" }] } });
    expect(emptyText.status).toBe(400);
    expect(((await emptyText.json()) as { error: { param: string } }).error.param).toBe("records.1.text");
    const unknownTemplate = await api("/enrich", { body: { text: "x", template: "nope" } });
    expect(unknownTemplate.status).toBe(400);
    expect(((await unknownTemplate.json()) as { error: { code: string } }).error.code).toBe("unknown_template");
    const badId = await api("/enrich", { body: { id: "has spaces", text: "x" } });
    expect(badId.status).toBe(400);

    await drainUntil([id], ["done"]);
    expect(await pendingCount()).toBe(0);
  });
});
