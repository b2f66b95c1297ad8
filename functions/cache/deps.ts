// What the cache's operations run against: config, the Upstash clients, the embedder, the key
// prefix, a clock and a logger. index.ts builds them from the Worker's env; tests and the benchmark
// build them against the local stand-ins.
import type { CacheConfig, Logger, RpcContext } from "@llm-edge/shared";
import type { Redis } from "@upstash/redis/cloudflare";
import type { Index } from "@upstash/vector";
import type { Embedder } from "./embedding";

export interface CacheDeps {
  config: CacheConfig;
  redis: Redis;
  vector: Index;
  embedder: Embedder;
  /** REDIS_KEY_PREFIX. */
  keyPrefix: string;
  /** Epoch ms for expiry decisions (injectable so tests can move time). Budgets use real time. */
  now: () => number;
  log: Logger;
}

/** Who is asking: the tenant and the RPC context (trace). */
export interface CallContext {
  tenant: string;
  context: RpcContext;
}
