// API keys kept in Upstash Redis: created and revoked through the admin API without a redeploy.
// Only the SHA-256 of a key is stored (`<prefix>edge:apikey:<sha256>` → record; `<prefix>edge:apikeys`
// maps key ids to hashes for listing and revoking). Lookups are cached in the isolate for
// KEY_CACHE_TTL_MS, so the hot path rarely waits on Redis, and a revoked key stops working within that time.
import { ApiKeyRecordSchema, type ApiKeyRecord, type CreateApiKeyRequest } from "@llm-edge/shared";
import type { Redis } from "@upstash/redis/cloudflare";
import { REDIS_BUDGET_MS, timed } from "./limits/redis";

/** Every key the admin API creates starts with this; other texts are never looked up in Redis. */
export const MANAGED_KEY_PREFIX = "sk-edge-";
/** Upper bound on how long an isolate keeps using what it last read about a key (revocation delay). */
export const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

export type KeyLookup =
  | { status: "found"; record: ApiKeyRecord }
  | { status: "unknown" }
  | { status: "revoked" }
  | { status: "unavailable"; reason: string };

/** Hex SHA-256 of a text. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function randomText(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

// The index holds "sha256:<hex>", a text the client's JSON decoding never turns into a number.
const INDEX_VALUE_TAG = "sha256:";
const fromIndexValue = (value: string): string => String(value).slice(INDEX_VALUE_TAG.length);

type CacheEntry = { expiresAt: number; record: ApiKeyRecord | null };
const lookupCache = new Map<string, CacheEntry>();

function remember(cacheKey: string, entry: CacheEntry): void {
  if (lookupCache.size >= KEY_CACHE_MAX_ENTRIES) lookupCache.delete(lookupCache.keys().next().value!);
  lookupCache.set(cacheKey, entry);
}

export class KeyStore {
  constructor(
    private readonly redis: Redis,
    /** REDIS_KEY_PREFIX + "edge:". */
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  private recordKey(hash: string): string {
    return `${this.prefix}apikey:${hash}`;
  }

  private get indexKey(): string {
    return `${this.prefix}apikeys`;
  }

  private async read(hash: string): Promise<ApiKeyRecord | null> {
    const raw = await this.redis.get<unknown>(this.recordKey(hash));
    if (raw === null) return null;
    const parsed = ApiKeyRecordSchema.safeParse(raw);
    return parsed.success ? parsed.data : null;
  }

  /** The record of a presented key: from the isolate's cache when fresh, else from Redis (within REDIS_BUDGET_MS). */
  async lookup(presented: string): Promise<KeyLookup> {
    if (!presented.startsWith(MANAGED_KEY_PREFIX)) return { status: "unknown" };
    const hash = await sha256Hex(presented);
    const cacheKey = this.recordKey(hash);
    let entry = lookupCache.get(cacheKey);
    if (!entry || entry.expiresAt <= this.now()) {
      const read = await timed(REDIS_BUDGET_MS, () => this.read(hash));
      if (!read.ok) return { status: "unavailable", reason: read.reason === "timeout" ? "redis_timeout" : "redis_unavailable" };
      entry = { expiresAt: this.now() + KEY_CACHE_TTL_MS, record: read.value };
      remember(cacheKey, entry);
    }
    if (!entry.record) return { status: "unknown" };
    if (entry.record.revokedAt) return { status: "revoked" };
    return { status: "found", record: entry.record };
  }

  /** Creates a key for a tenant; the returned `key` text exists nowhere else afterwards. */
  async create(request: CreateApiKeyRequest): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = `${MANAGED_KEY_PREFIX}${randomText(32)}`;
    const hash = await sha256Hex(key);
    const record: ApiKeyRecord = {
      id: `key_${randomText(12)}`,
      tenant: request.tenant,
      ...(request.name ? { name: request.name } : {}),
      hint: key.slice(-4),
      createdAt: new Date(this.now()).toISOString(),
      ...(request.limits ? { limits: request.limits } : {}),
    };
    await this.redis.multi().set(this.recordKey(hash), record).hset(this.indexKey, { [record.id]: `${INDEX_VALUE_TAG}${hash}` }).exec();
    return { key, record };
  }

  /** Every key record (optionally one tenant's), oldest first. */
  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const index = (await this.redis.hgetall<Record<string, string>>(this.indexKey)) ?? {};
    const hashes = Object.values(index).map(fromIndexValue);
    if (hashes.length === 0) return [];
    const raw = await this.redis.mget<unknown[]>(...hashes.map((hash) => this.recordKey(hash)));
    return raw
      .map((value) => ApiKeyRecordSchema.safeParse(value))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
      .filter((record) => tenant === undefined || record.tenant === tenant)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Marks a key revoked (kept for the list); undefined when no key has this id. Revoking twice keeps the first time. */
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const value = await this.redis.hget<string>(this.indexKey, id);
    if (!value) return undefined;
    const hash = fromIndexValue(value);
    const record = await this.read(hash);
    if (!record) return undefined;
    if (record.revokedAt) return record;
    const revoked = { ...record, revokedAt: new Date(this.now()).toISOString() };
    await this.redis.set(this.recordKey(hash), revoked);
    lookupCache.delete(this.recordKey(hash));
    return revoked;
  }
}
