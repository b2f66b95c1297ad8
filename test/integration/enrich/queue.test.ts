// Queue delivery end to end (tenant it-queue has enrichment.tenants.it-queue.delivery = "queue"): records
// posted to /v1/enrich are sent to the local Cloudflare Queue and pushed to the edge's queue() handler —
// no cron run is triggered here — which runs them with the cron's steps. Each record ends with one
// result; a second delivery of a record starts no second job and writes no second result; a branch
// that always fails dead-letters its record after maxAttempts with every attempt's error, and a replay
// sends it through the queue again. Nothing ever touches the tenant's intake stream.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fault, resetSim, simCalls, stack } from "../support";
import { createKey } from "../platform/support";
import { QUEUE_TENANT } from "./config";
import { api, logLength, logLines, NONCE, redis, streamEntries, type RecordBody } from "./support";

const prefix = `${stack.vars.REDIS_KEY_PREFIX}enrich:${QUEUE_TENANT}:`;
const queueKeys = { intake: `${prefix}intake`, results: `${prefix}results`, dead: `${prefix}dead` };

let apiKey = "";

beforeAll(async () => {
  apiKey = (await createKey(QUEUE_TENANT, { name: "enrichment queue tests" })).key;
});

afterEach(resetSim);

async function getQueued(id: string): Promise<RecordBody> {
  const response = await api(`/enrich/${encodeURIComponent(id)}`, { apiKey });
  if (response.status !== 200) throw new Error(`GET record ${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as RecordBody;
}

/** Polls the records (no cron run: only the queue consumer can move them) until each has one of `statuses`. */
async function settledByQueue(ids: string[], statuses: string[], timeoutMs = 25_000): Promise<RecordBody[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(ids.map(getQueued));
    if (records.every((record) => statuses.includes(record.status))) return records;
    if (Date.now() > deadline) throw new Error(`records not settled by the queue: ${JSON.stringify(records.map((record) => [record.id, record.status, record.attempts]))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function batchLines(fromLine: number): Array<{ messages: number; done: number; acked: number; retried: number; deadLettered: number; queue: string }> {
  return logLines("enrichment queue batch", fromLine) as never;
}

describe("enrichment through the queue", () => {
  it("drains records pushed through the queue: one result per record, every branch called once per record", async () => {
    const before = await simCalls("t-enr-q-sum", "t-enr-q-kpi");
    const logFrom = logLength();
    const records = Array.from({ length: 12 }, (_, index) => ({ id: `q-${NONCE}-${index}`, text: `Queue report ${NONCE}-${index}: margin ${index}%.`, template: "t-queue" }));
    const response = await api("/enrich", { apiKey, body: { records } });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { data: Array<{ id: string; status: string; duplicate: boolean }> };
    expect(accepted.data.every((item) => item.status === "queued" && !item.duplicate)).toBe(true);
    const ids = records.map((record) => record.id);

    const done = await settledByQueue(ids, ["done"]);
    for (const [index, record] of done.entries()) {
      expect(record.attempts).toBe(1);
      expect(record.errors).toEqual([]);
      expect(record.result?.branches.summary?.text).toContain(`${NONCE}-${index}`);
      expect((record.result?.branches.kpis?.json as { kpis: unknown[] }).kpis.length).toBeGreaterThanOrEqual(1);
    }
    const results = (await streamEntries(queueKeys.results)).filter((entry) => ids.includes(entry.fields.id!));
    expect(results).toHaveLength(12);
    expect(new Set(results.map((entry) => entry.fields.id)).size).toBe(12);
    const after = await simCalls("t-enr-q-sum", "t-enr-q-kpi");
    expect(after["t-enr-q-sum"]! - before["t-enr-q-sum"]!).toBe(12);
    expect(after["t-enr-q-kpi"]! - before["t-enr-q-kpi"]!).toBe(12);
    // The queue carried them: the tenant has no intake stream, and the consumer logged its batches.
    expect(await redis.exists(queueKeys.intake)).toBe(0);
    const batches = batchLines(logFrom).filter((line) => line.queue === "llm-edge-enrich");
    expect(batches.reduce((sum, line) => sum + line.done, 0)).toBe(12);
  });

  it("runs no second job and writes no second result when a record's message is delivered again", async () => {
    // A slow summary keeps the first delivery waiting on its job while the second message arrives.
    await fault({ model: "t-enr-q-sum", latencyMs: 1_500 });
    const before = await simCalls("t-enr-q-sum", "t-enr-q-kpi");
    const logFrom = logLength();
    const id = `q-redeliver-${NONCE}`;
    const record = { id, text: `Delivered twice ${NONCE}: revenue 7.`, template: "t-queue" };
    expect((await api("/enrich", { apiKey, body: record })).status).toBe(202);
    const deadline = Date.now() + 15_000;
    while ((await getQueued(id)).status !== "running") {
      if (Date.now() > deadline) throw new Error("the record never started running");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The same id again while its job runs: accepted as a duplicate and sent to the queue once more.
    const again = await api("/enrich", { apiKey, body: record });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ id, duplicate: true, status: "running" });

    const [done] = (await settledByQueue([id], ["done"])) as [RecordBody];
    expect(done.attempts).toBe(1);
    // Both messages are consumed (the second finds the job running or the record settled).
    const deadlineLogs = Date.now() + 15_000;
    while (batchLines(logFrom).reduce((sum, line) => sum + line.messages, 0) < 2) {
      if (Date.now() > deadlineLogs) throw new Error("the second message was never consumed");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = await simCalls("t-enr-q-sum", "t-enr-q-kpi");
    expect(after["t-enr-q-sum"]! - before["t-enr-q-sum"]!).toBe(1);
    expect(after["t-enr-q-kpi"]! - before["t-enr-q-kpi"]!).toBe(1);
    expect((await streamEntries(queueKeys.results)).filter((entry) => entry.fields.id === id)).toHaveLength(1);
    expect((await getQueued(id)).result?.jobId).toBe(`enrich-${id}-1`);
  });

  it("dead-letters a record whose branch always fails after 3 attempts with each error; a replay runs it through the queue again", async () => {
    await fault({ model: "t-enr-q-dlq", status: 500 });
    const before = await simCalls("t-enr-q-dlq");
    const logFrom = logLength();
    const id = `q-dlq-${NONCE}`;
    expect((await api("/enrich", { apiKey, body: { id, text: "This one never works.", template: "t-queue-dlq" } })).status).toBe(202);

    const [record] = (await settledByQueue([id], ["dead_lettered"], 40_000)) as [RecordBody];
    expect(record.attempts).toBe(3);
    expect(record.errors.map((error) => error.attempt)).toEqual([1, 2, 3]);
    expect(record.errors.every((error) => error.message.includes("t-enr-q-dlq") && error.message.includes("500"))).toBe(true);
    expect(record.reason).toMatch(/failed 3 attempts/);
    expect(record.result).toBeUndefined();
    expect((await simCalls("t-enr-q-dlq"))["t-enr-q-dlq"]! - before["t-enr-q-dlq"]!).toBe(3);
    const dead = (await streamEntries(queueKeys.dead)).filter((entry) => entry.fields.id === id);
    expect(dead).toHaveLength(1);
    expect((JSON.parse(dead[0]!.fields.errors!) as unknown[]).length).toBe(3);
    expect(dead[0]!.fields.sourceEntryId).toBeUndefined();
    // The two failed attempts before the last came back through message.retry.
    expect(batchLines(logFrom).reduce((sum, line) => sum + line.retried, 0)).toBe(2);

    await resetSim();
    expect((await api(`/enrich/${id}/replay`, { method: "POST", apiKey })).status).toBe(202);
    const [replayed] = (await settledByQueue([id], ["done"])) as [RecordBody];
    expect(replayed.attempts).toBe(4);
    expect(replayed.errors).toHaveLength(3);
    expect((await streamEntries(queueKeys.results)).filter((entry) => entry.fields.id === id)).toHaveLength(1);
    expect(await redis.exists(queueKeys.intake)).toBe(0);
  }, 60_000);
});
