// The human-review queue in Upstash Redis. Per tenant: a hash per review (immutable record, status,
// decision), a sorted index by creation time for listing, a request-hash key so a re-sent request
// finds its pending review instead of opening another, and a one-use pass key set on approval that
// lets the same request (same hash) through exactly once. Every key lives under the configured
// prefix and expires; a pending review not decided in time reads as "expired" and cannot be approved.
import type { Redis } from "@upstash/redis/cloudflare";
import { z } from "zod";
import { FindingSchema, ReviewSchema, type Direction, type Finding, type Review, type ReviewDecision } from "@llm-edge/shared";

export type ReviewStore = Pick<Redis, "get" | "eval" | "hgetall" | "multi" | "pipeline" | "zrange" | "zrem">;

export interface ReviewQueueOptions {
  /** Prefix of every key, e.g. "llm-edge:guardrail:". */
  keyPrefix: string;
  pendingTtlSeconds: number;
  retentionSeconds: number;
  now?: () => number;
  newId?: () => string;
}

export interface NewReview {
  tenant: string;
  direction: Direction;
  reason: string;
  findings: Finding[];
  preview: string;
  /** Identifies the held request; an approval lets this hash through once. */
  requestHash: string;
  /** What was held (e.g. the redacted completion), kept for whoever releases it later. */
  payload?: unknown;
}

/** What an approved review id does for a request that would escalate again. */
export type RedeemOutcome =
  | { kind: "approved" }
  | { kind: "pending"; review: Review }
  | { kind: "rejected"; review: Review }
  | { kind: "none" };

const StoredRecordSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  direction: z.enum(["input", "output"]),
  createdAt: z.string(),
  reason: z.string(),
  findings: z.array(FindingSchema),
  preview: z.string(),
});
const StoredDecisionSchema = z.object({ decidedAt: z.string(), reviewer: z.string().optional(), note: z.string().optional() });
const REVIEW_ID = /^rev_[0-9a-f]{20}$/;
/** How many of the newest reviews a listing looks at before filtering by status. */
const LIST_WINDOW = 500;

/** Sets the decision if the review is still pending and not past its deadline; on approval, arms the pass key. */
const DECIDE_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'missing' end
if status ~= 'pending' then return status end
local created = tonumber(redis.call('HGET', KEYS[1], 'createdAtMs'))
if tonumber(ARGV[3]) - created >= tonumber(ARGV[4]) then return 'expired' end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'decision', ARGV[2])
if ARGV[1] == 'approved' then
  local hash = redis.call('HGET', KEYS[1], 'requestHash')
  if hash and hash ~= '' then redis.call('SET', KEYS[2], hash, 'EX', ARGV[5]) end
end
return 'decided'`;

/** Consumes the pass key only when it holds this request's hash. */
const REDEEM_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/** Stored hashes carry a prefix so the client's JSON decoding can never turn one into a number. */
const storedHash = (hash: string) => `h:${hash}`;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return `rev_${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** A stored value as the client returns it: JSON it could parse is already parsed, the rest is text. */
function parsed(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export class ReviewQueue {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(
    private readonly store: ReviewStore,
    private readonly options: ReviewQueueOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomId;
  }

  private key(kind: "review" | "reviews" | "review-hash" | "review-pass", tenant: string, id?: string): string {
    return `${this.options.keyPrefix}${kind}:${encodeURIComponent(tenant)}${id === undefined ? "" : `:${id}`}`;
  }

  /** Opens a review, or returns the pending one already holding the same request. */
  async create(review: NewReview): Promise<Review> {
    const hashKey = this.key("review-hash", review.tenant, review.requestHash);
    const existingId = await this.store.get<string>(hashKey);
    if (typeof existingId === "string") {
      const existing = await this.get(review.tenant, existingId);
      if (existing?.status === "pending") return existing;
    }
    const nowMs = this.now();
    const record = { id: this.newId(), tenant: review.tenant, direction: review.direction, createdAt: new Date(nowMs).toISOString(), reason: review.reason, findings: review.findings, preview: review.preview };
    const recordKey = this.key("review", review.tenant, record.id);
    const indexKey = this.key("reviews", review.tenant);
    const retention = this.options.retentionSeconds;
    const fields: Record<string, string | number> = { record: JSON.stringify(record), status: "pending", createdAtMs: nowMs, requestHash: storedHash(review.requestHash) };
    if (review.payload !== undefined) fields.payload = JSON.stringify(review.payload);
    await this.store
      .multi()
      .hset(recordKey, fields)
      .expire(recordKey, retention)
      .zadd(indexKey, { score: nowMs, member: record.id })
      .expire(indexKey, retention)
      .set(hashKey, record.id, { ex: this.options.pendingTtlSeconds })
      .exec();
    return { ...record, status: "pending" };
  }

  /** A review of this tenant, or undefined (unknown, another tenant's, or past retention). */
  async get(tenant: string, id: string): Promise<Review | undefined> {
    if (!REVIEW_ID.test(id)) return undefined;
    return this.fromStored(await this.store.hgetall(this.key("review", tenant, id)));
  }

  /** The tenant's newest reviews first, optionally only those with a status. */
  async list(tenant: string, options: { status?: Review["status"]; limit?: number } = {}): Promise<Review[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), LIST_WINDOW);
    const indexKey = this.key("reviews", tenant);
    const ids = (await this.store.zrange<string[]>(indexKey, 0, LIST_WINDOW - 1, { rev: true })).map(String);
    if (ids.length === 0) return [];
    const pipeline = this.store.pipeline();
    for (const id of ids) pipeline.hgetall(this.key("review", tenant, id));
    const stored = await pipeline.exec<Array<Record<string, unknown> | null>>();
    const gone = ids.filter((_, index) => !stored[index]);
    if (gone.length > 0) await this.store.zrem(indexKey, ...gone);
    return stored
      .map((value) => this.fromStored(value))
      .filter((review): review is Review => review !== undefined && (options.status === undefined || review.status === options.status))
      .slice(0, limit);
  }

  /**
   * Approves or rejects a pending review. A review already decided or expired is returned as it is
   * (deciding twice changes nothing); undefined when there is no such review.
   */
  async decide(tenant: string, id: string, decision: ReviewDecision): Promise<Review | undefined> {
    const current = await this.get(tenant, id);
    if (!current) return undefined;
    if (current.status !== "pending") return current;
    const nowMs = this.now();
    const stored = { decidedAt: new Date(nowMs).toISOString(), ...(decision.reviewer ? { reviewer: decision.reviewer } : {}), ...(decision.note ? { note: decision.note } : {}) };
    const ageSeconds = Math.floor((nowMs - Date.parse(current.createdAt)) / 1_000);
    const passTtl = Math.max(60, this.options.retentionSeconds - ageSeconds);
    await this.store.eval(
      DECIDE_SCRIPT,
      [this.key("review", tenant, id), this.key("review-pass", tenant, id)],
      [decision.decision === "approve" ? "approved" : "rejected", JSON.stringify(stored), String(nowMs), String(this.options.pendingTtlSeconds * 1_000), String(passTtl)],
    );
    return this.get(tenant, id);
  }

  /**
   * Uses an approval: when review `id` was approved for exactly this request hash and not used yet,
   * consumes it ("approved"). Otherwise tells whether the same request is still pending or was
   * rejected, so the caller neither opens a duplicate review nor lets a rejected request retry.
   */
  async redeem(tenant: string, id: string, requestHash: string): Promise<RedeemOutcome> {
    if (!REVIEW_ID.test(id)) return { kind: "none" };
    const consumed = await this.store.eval(REDEEM_SCRIPT, [this.key("review-pass", tenant, id)], [storedHash(requestHash)]);
    if (Number(consumed) === 1) return { kind: "approved" };
    const stored = await this.store.hgetall(this.key("review", tenant, id));
    const review = this.fromStored(stored);
    if (!review || stored?.requestHash !== storedHash(requestHash)) return { kind: "none" };
    if (review.status === "pending") return { kind: "pending", review };
    if (review.status === "rejected") return { kind: "rejected", review };
    return { kind: "none" };
  }

  private fromStored(stored: Record<string, unknown> | null): Review | undefined {
    if (!stored) return undefined;
    const record = StoredRecordSchema.safeParse(parsed(stored.record));
    if (!record.success) return undefined;
    const decision = stored.decision === undefined ? undefined : StoredDecisionSchema.safeParse(parsed(stored.decision));
    const createdAtMs = Number(stored.createdAtMs);
    let status = String(stored.status);
    if (status === "pending" && this.now() - createdAtMs >= this.options.pendingTtlSeconds * 1_000) status = "expired";
    // An approved output review releases the answer it held (already redacted per policy).
    const released = status === "approved" && record.data.direction === "output" && stored.payload !== undefined ? { completion: parsed(stored.payload) } : {};
    return ReviewSchema.parse({ ...record.data, status, ...(decision?.success ? decision.data : {}), ...released });
  }
}
