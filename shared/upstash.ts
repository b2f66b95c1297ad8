// Upstash client factories. The same code talks to Upstash in production and to the local stand-ins
// in dev (dev/redis-bridge, dev/vector-server), selected only by the conventional UPSTASH_* variables.
import { Redis } from "@upstash/redis/cloudflare";
import { Index } from "@upstash/vector";
import { GatewayError } from "./errors";

export interface UpstashRedisEnv {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}
export interface UpstashVectorEnv {
  UPSTASH_VECTOR_REST_URL?: string;
  UPSTASH_VECTOR_REST_TOKEN?: string;
}

function required(value: string | undefined, name: string): string {
  if (!value) {
    throw new GatewayError(`${name} is not configured`, { type: "service_unavailable", code: "dependency_not_configured" });
  }
  return value;
}

/**
 * One client per isolate and endpoint: a client holds no per-request state, and making one builds
 * hundreds of command closures. `make` runs on the first call for an endpoint.
 */
function memoized<T>(clients: Map<string, T>, url: string, token: string, make: () => T): T {
  const key = `${url} ${token}`;
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= 8) clients.clear(); // endpoints only change in tests
    client = make();
    clients.set(key, client);
  }
  return client;
}

const redisClients = new Map<string, Redis>();
const vectorClients = new Map<string, Index>();

/**
 * Upstash Redis client from UPSTASH_REDIS_REST_URL / _TOKEN, one per isolate and endpoint. Retries
 * are off: callers own their time budget and degrade on failure rather than wait.
 */
export function redisFromEnv(env: UpstashRedisEnv): Redis {
  const url = required(env.UPSTASH_REDIS_REST_URL, "UPSTASH_REDIS_REST_URL");
  const token = required(env.UPSTASH_REDIS_REST_TOKEN, "UPSTASH_REDIS_REST_TOKEN");
  return memoized(redisClients, url, token, () => new Redis({ url, token, retry: false }));
}

/** Upstash Vector index client from UPSTASH_VECTOR_REST_URL / _TOKEN, one per isolate and endpoint, retries off. */
export function vectorFromEnv(env: UpstashVectorEnv): Index {
  const url = required(env.UPSTASH_VECTOR_REST_URL, "UPSTASH_VECTOR_REST_URL");
  const token = required(env.UPSTASH_VECTOR_REST_TOKEN, "UPSTASH_VECTOR_REST_TOKEN");
  return memoized(vectorClients, url, token, () => new Index({ url, token, retry: false }));
}
