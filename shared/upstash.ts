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

const redisClients = new Map<string, Redis>();

/**
 * Upstash Redis client from UPSTASH_REDIS_REST_URL / _TOKEN, made once per isolate and endpoint (a
 * client holds no per-request state, and making one builds hundreds of command closures). Retries
 * are off: callers own their time budget and degrade on failure rather than wait.
 */
export function redisFromEnv(env: UpstashRedisEnv): Redis {
  const url = required(env.UPSTASH_REDIS_REST_URL, "UPSTASH_REDIS_REST_URL");
  const token = required(env.UPSTASH_REDIS_REST_TOKEN, "UPSTASH_REDIS_REST_TOKEN");
  const key = `${url} ${token}`;
  let redis = redisClients.get(key);
  if (!redis) {
    if (redisClients.size >= 8) redisClients.clear(); // endpoints only change in tests
    redis = new Redis({ url, token, retry: false });
    redisClients.set(key, redis);
  }
  return redis;
}

/** Upstash Vector index client from UPSTASH_VECTOR_REST_URL / _TOKEN. */
export function vectorFromEnv(env: UpstashVectorEnv): Index {
  return new Index({
    url: required(env.UPSTASH_VECTOR_REST_URL, "UPSTASH_VECTOR_REST_URL"),
    token: required(env.UPSTASH_VECTOR_REST_TOKEN, "UPSTASH_VECTOR_REST_TOKEN"),
    retry: false,
  });
}
