// The consumer under failure: entries a crashed consumer left pending are reclaimed (XAUTOCLAIM after
// the idle time) and processed with no loss and no duplicate — also a record the crashed consumer had
// marked running before it could create the job; malformed entries a producer XADDed directly go to
// the dead-letter stream with a reason while valid ones beside them, and later ones, still complete.
import { afterEach, describe, expect, it } from "vitest";
import { resetSim, simCalls } from "../support";
import { api, drainUntil, getRecord, keys, logLength, logLines, NONCE, pendingCount, redis, runCron, streamEntries, TENANT } from "./support";

afterEach(resetSim);

async function ensureGroup(): Promise<void> {
  try {
    await redis.xgroup(keys.intake, { type: "CREATE", group: "enrich", id: "0", options: { MKSTREAM: true } });
  } catch (error) {
    if (!/BUSYGROUP/.test((error as Error).message)) throw error;
  }
}

describe("enrichment recovery", () => {
  it("reclaims the entries of a consumer that died mid-batch: every record once, no second job, no second result", async () => {
    const before = await simCalls("t-enr-rc");
    const logFrom = logLength();
    const ids = Array.from({ length: 6 }, (_, index) => `rc-${NONCE}-${index}`);
    const response = await api("/enrich", { body: { records: ids.map((id) => ({ id, text: `Reclaim me ${id}.`, template: "t-reclaim" })) } });
    expect(response.status).toBe(202);

    // Another consumer of the group reads the batch and dies without acknowledging anything; for two
    // records it had already marked the attempt running (job id derived from the record) but never created the job.
    await ensureGroup();
    const read = (await redis.xreadgroup("enrich", "crashed-worker", keys.intake, ">", { count: 100 })) as unknown as Array<[string, Array<[string, string[]]>]>;
    const delivered = read[0]![1].map(([entryId]) => entryId);
    expect(delivered).toHaveLength(6);
    for (const id of ids.slice(0, 2)) await redis.hset(keys.record(id), { status: "running", attempts: "1", jobId: `enrich-${id}-1` });

    const records = await drainUntil(ids, ["done"]);
    expect(records.every((record) => record.attempts === 1 && record.result?.jobId === `enrich-${record.id}-1`)).toBe(true);
    const results = (await streamEntries(keys.results)).filter((entry) => ids.includes(entry.fields.id!));
    expect(results).toHaveLength(6);
    expect(new Set(results.map((entry) => entry.fields.id)).size).toBe(6);
    const after = await simCalls("t-enr-rc");
    expect(after["t-enr-rc"]! - before["t-enr-rc"]!).toBe(6);
    expect(await pendingCount()).toBe(0);
    const reclaimed = logLines("enrichment drain", logFrom).reduce((sum, line) => sum + Number(line.reclaimed), 0);
    expect(reclaimed).toBeGreaterThanOrEqual(6);

    // A settled record that a producer XADDs again is acknowledged as a duplicate: no new job, no new result.
    await redis.xadd(keys.intake, "*", { kind: "record", body: JSON.stringify({ id: ids[0], text: "again", template: "t-reclaim" }) });
    await runCron();
    expect(await pendingCount()).toBe(0);
    expect((await streamEntries(keys.results)).filter((entry) => entry.fields.id === ids[0])).toHaveLength(1);
    expect((await simCalls("t-enr-rc"))["t-enr-rc"]! - before["t-enr-rc"]!).toBe(6);
  });

  it("dead-letters malformed entries with a reason and keeps processing the valid ones", async () => {
    const before = await simCalls("t-enr-mal");
    await redis.sadd(keys.tenants, TENANT);
    const malformed = [
      { kind: "record", body: "{not json" },
      { kind: "bogus", body: JSON.stringify({ text: "unknown kind" }) },
      { kind: "record", body: JSON.stringify({ text: "" }) },
      { kind: "event", body: JSON.stringify({ type: "nobody.listens", data: "x" }) },
    ];
    const malformedIds: string[] = [];
    for (const fields of malformed) malformedIds.push(await redis.xadd(keys.intake, "*", fields));
    const validWithId = `mal-${NONCE}`;
    await redis.xadd(keys.intake, "*", { kind: "record", body: JSON.stringify({ id: validWithId, text: "A valid record beside broken ones.", template: "t-malformed" }) });
    const entryWithoutId = await redis.xadd(keys.intake, "*", { kind: "record", body: JSON.stringify({ text: "A valid record with no id.", template: "t-malformed" }) });
    const validWithoutId = `e${entryWithoutId}`;

    await drainUntil([validWithId, validWithoutId, ...malformedIds.map((entryId) => `e${entryId}`)], ["done", "dead_lettered"]);
    expect((await getRecord(validWithId)).status).toBe("done");
    expect((await getRecord(validWithoutId)).result?.branches.summary?.text).toContain("A valid record with no id.");

    const dead = (await streamEntries(keys.dead)).filter((entry) => malformedIds.includes(entry.fields.sourceEntryId!));
    expect(dead).toHaveLength(4);
    const reasons = Object.fromEntries(dead.map((entry) => [entry.fields.sourceEntryId, entry.fields.reason]));
    expect(reasons[malformedIds[0]!]).toMatch(/malformed entry: body/);
    expect(reasons[malformedIds[1]!]).toMatch(/malformed entry: kind/);
    expect(reasons[malformedIds[2]!]).toMatch(/malformed entry: body\.text/);
    expect(reasons[malformedIds[3]!]).toMatch(/no template is configured for event type "nobody.listens"/);
    const broken = await getRecord(`e${malformedIds[0]}`);
    expect(broken.status).toBe("dead_lettered");
    expect(broken.reason).toMatch(/malformed entry/);
    expect((await simCalls("t-enr-mal"))["t-enr-mal"]! - before["t-enr-mal"]!).toBe(2);
    expect(await pendingCount()).toBe(0);

    // The next runs still make progress.
    const later = `mal-later-${NONCE}`;
    expect((await api("/enrich", { body: { id: later, text: "After the broken ones.", template: "t-malformed" } })).status).toBe(202);
    await drainUntil([later], ["done"]);
    expect(await pendingCount()).toBe(0);
  });
});
