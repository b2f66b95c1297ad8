// Enrichment's Redis side through @upstash/redis: intake (idempotent per record id; onto the intake
// stream, or only the hash for queue delivery), the consumer group reads (XAUTOCLAIM of stale entries, the consumer's own pending entries, new entries), the
// record hashes, and the atomic settle/replay scripts. Every method is one HTTP call to Upstash.
import type { Redis } from "@upstash/redis/cloudflare";
import type { EnrichDelivery, EnrichmentConfig } from "@llm-edge/shared/enrich-config";
import { CONSUMER_GROUP, type EnrichKeys } from "./keys";
import { entryFields, fieldText, parseEntry, parseRecordState, type ParsedEntry, type RecordState } from "./record";
import { INTAKE_SCRIPT, ADOPT_SCRIPT, REPLAY_SCRIPT, SETTLE_SCRIPT } from "./scripts";

/** One stream entry as read: its id and fields (undefined for an entry deleted since it was delivered). */
export interface StreamEntry {
  id: string;
  fields: Record<string, unknown> | undefined;
}

/** What to add for one record at intake. */
export interface IntakeItem {
  id: string;
  kind: "record" | "event";
  /** The record or event as JSON. */
  body: string;
  template: string;
  type?: string;
}

/** A record accepted (created) or seen before (its status); `entryId` names its intake stream entry (none on the queue path). */
export type IntakeOutcome = { id: string; created: true; entryId?: string } | { id: string; created: false; status: string; entryId?: string };

/** A final outcome: its status, the hash fields it sets, and the entry it adds to the result or dead-letter stream. */
export interface Settlement {
  status: "done" | "dead_lettered";
  hash: Record<string, string>;
  entry: Record<string, string>;
}

function isNoGroup(error: unknown): boolean {
  return error instanceof Error && /NOGROUP/.test(error.message);
}

/** XREADGROUP's reply ([[stream, [[id, fields], …]]] or null) as entries. */
function readEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || !Array.isArray(reply[0])) return [];
  const entries = (reply[0] as unknown[])[1];
  if (!Array.isArray(entries)) return [];
  return entries.map((raw) => {
    const [id, fields] = raw as [unknown, unknown];
    return { id: String(id), fields: entryFields(fields) };
  });
}

export class EnrichStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: EnrichKeys,
    private readonly config: EnrichmentConfig,
  ) {}

  /**
   * Creates each record's hash, each id once (one pipelined call for all of them); on the streams path
   * the record is also added to the tenant's intake stream, on the queue path the caller sends the message.
   */
  async intake(tenant: string, items: IntakeItem[], now: number, delivery: EnrichDelivery): Promise<IntakeOutcome[]> {
    const pipeline = this.redis.pipeline();
    for (const item of items) {
      pipeline.eval(INTAKE_SCRIPT, [this.keys.record(tenant, item.id), this.keys.intake(tenant), this.keys.tenants], [
        tenant, item.kind, item.body, String(now), item.template, item.type ?? "", String(this.config.recordTtlSeconds), delivery,
      ]);
    }
    const replies = (await pipeline.exec()) as unknown[];
    return items.map((item, index) => {
      const [created, value, entry] = replies[index] as [unknown, unknown, unknown];
      if (Number(created) === 1) return { id: item.id, created: true, ...(fieldText(value) ? { entryId: fieldText(value)! } : {}) };
      return { id: item.id, created: false, status: fieldText(value) ?? "queued", ...(fieldText(entry) ? { entryId: fieldText(entry)! } : {}) };
    });
  }

  async record(tenant: string, id: string): Promise<RecordState | undefined> {
    return parseRecordState(await this.redis.hgetall(this.keys.record(tenant, id)));
  }

  /**
   * A record the queue delivered, read from its hash alone: its state and its body parsed as an intake
   * entry (the same checks as a stream entry's). Undefined when the hash is gone (expired, or never written).
   */
  async delivered(tenant: string, id: string): Promise<{ state: RecordState; parsed: ParsedEntry } | undefined> {
    const raw = await this.redis.hgetall<Record<string, unknown>>(this.keys.record(tenant, id));
    const state = parseRecordState(raw);
    if (!raw || !state) return undefined;
    return { state, parsed: { ...parseEntry("0-0", { kind: raw.kind, body: raw.body, at: raw.enqueuedAt }), id } };
  }

  /** Several records' hashes in one pipelined call. */
  async records(tenant: string, ids: string[]): Promise<Array<RecordState | undefined>> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.record(tenant, id));
    const replies = (await pipeline.exec()) as Array<Record<string, unknown> | null>;
    return replies.map((reply) => parseRecordState(reply));
  }

  /** Gives a directly XADDed record its hash; returns the entry id the record belongs to. */
  async adopt(tenant: string, id: string, item: { kind: string; template: string; type?: string; body: string; enqueuedAt: number }, entryId: string): Promise<string> {
    const owner = await this.redis.eval(ADOPT_SCRIPT, [this.keys.record(tenant, id)], [
      item.kind, item.template, item.type ?? "", entryId, String(item.enqueuedAt), String(this.config.recordTtlSeconds), item.body,
    ]);
    return fieldText(owner) ?? entryId;
  }

  async tenants(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.tenants)).map((tenant) => String(tenant));
  }

  /** Creates the consumer group (and the stream) when missing; "0" so entries XADDed before it are read too. */
  async ensureGroup(tenant: string): Promise<void> {
    try {
      await this.redis.xgroup(this.keys.intake(tenant), { type: "CREATE", group: CONSUMER_GROUP, id: "0", options: { MKSTREAM: true } });
    } catch (error) {
      if (!(error instanceof Error && /BUSYGROUP/.test(error.message))) throw error;
    }
  }

  /**
   * Moves entries pending longer than `minIdleMs` on any consumer to `consumer` (XAUTOCLAIM, ids only),
   * then reads them with the consumer's own pending entries. Entries deleted from the stream meanwhile
   * are acknowledged. Returns how many were claimed and where the scan continues ("0-0" = done).
   */
  async claimStale(tenant: string, consumer: string, minIdleMs: number, start: string, count: number): Promise<{ claimed: number; next: string }> {
    const reply = await this.withGroup(tenant, () => this.redis.xautoclaim(this.keys.intake(tenant), CONSUMER_GROUP, consumer, minIdleMs, start, { count, justId: true }));
    const [next, ids, deleted] = (reply ?? []) as [unknown, unknown[] | undefined, unknown[] | undefined];
    if (deleted?.length) await this.redis.xack(this.keys.intake(tenant), CONSUMER_GROUP, deleted.map(String));
    return { claimed: ids?.length ?? 0, next: fieldText(next) ?? "0-0" };
  }

  /** The consumer's pending entries after `after` ("0" = from the start). */
  async pending(tenant: string, consumer: string, after: string, count: number): Promise<StreamEntry[]> {
    return readEntries(await this.withGroup(tenant, () => this.redis.xreadgroup(CONSUMER_GROUP, consumer, this.keys.intake(tenant), after, { count })));
  }

  /** Entries never delivered to any consumer of the group. */
  async fresh(tenant: string, consumer: string, count: number): Promise<StreamEntry[]> {
    return readEntries(await this.withGroup(tenant, () => this.redis.xreadgroup(CONSUMER_GROUP, consumer, this.keys.intake(tenant), ">", { count })));
  }

  /** Acknowledges an intake stream entry (a record the queue delivered has none: nothing to do). */
  async ack(tenant: string, entryId: string | undefined): Promise<void> {
    if (entryId !== undefined) await this.redis.xack(this.keys.intake(tenant), CONSUMER_GROUP, entryId);
  }

  /** Marks attempt `attempt` as running under `jobId` (before the job is created: a crash in between resumes the same job). */
  async startAttempt(tenant: string, id: string, attempt: number, jobId: string, now: number): Promise<void> {
    const key = this.keys.record(tenant, id);
    const pipeline = this.redis.pipeline();
    pipeline.hset(key, { status: "running", attempts: String(attempt), jobId, updatedAt: String(now) });
    pipeline.hdel(key, "nextAttemptAt");
    await pipeline.exec();
  }

  /** Records a failed attempt and when the next may start. */
  async failAttempt(tenant: string, id: string, errors: unknown, nextAttemptAt: number, now: number): Promise<void> {
    await this.redis.hset(this.keys.record(tenant, id), { status: "failed", errors: JSON.stringify(errors), nextAttemptAt: String(nextAttemptAt), updatedAt: String(now) });
  }

  /**
   * Stores a final outcome once and then acknowledges the entry (one script, so the ack never comes
   * first; no entry for a record the queue delivered). Returns false when the record was settled
   * before (nothing written, only the ack).
   */
  async settle(tenant: string, id: string, entryId: string | undefined, settlement: Settlement, now: number): Promise<boolean> {
    const stream = settlement.status === "done" ? this.keys.results(tenant) : this.keys.deadLetters(tenant);
    const hash = Object.entries(settlement.hash).flat();
    const entry = Object.entries(settlement.entry).flat();
    const written = await this.redis.eval(SETTLE_SCRIPT, [this.keys.record(tenant, id), stream, this.keys.intake(tenant)], [
      CONSUMER_GROUP, entryId ?? "", settlement.status, String(now), String(this.config.streamMaxLen), String(this.config.recordTtlSeconds), String(hash.length / 2), ...hash, ...entry,
    ]);
    return Number(written) === 1;
  }

  /** Sends a dead-lettered record through the intake again (on the queue path the caller sends its message). */
  async replay(tenant: string, id: string, now: number, delivery: EnrichDelivery): Promise<{ ok: true } | { ok: false; status: string }> {
    const [ok, value] = (await this.redis.eval(REPLAY_SCRIPT, [this.keys.record(tenant, id), this.keys.intake(tenant), this.keys.tenants], [
      String(now), String(this.config.recordTtlSeconds), delivery, tenant,
    ])) as [unknown, unknown];
    return Number(ok) === 1 ? { ok: true } : { ok: false, status: fieldText(value) ?? "missing" };
  }

  private async withGroup<T>(tenant: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!isNoGroup(error)) throw error;
      await this.ensureGroup(tenant);
      return read();
    }
  }
}
