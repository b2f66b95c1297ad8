// The isolate's circuit-breaker registry, shared with other isolates through Upstash Redis when it
// is configured (see breaker/registry.ts for why Redis). One registry per isolate.
import { createLogger, redisFromEnv } from "@llm-edge/shared";
import { BreakerRegistry } from "./breaker/registry";

let registry: BreakerRegistry | undefined;

export function breakerRegistry(env: { UPSTASH_REDIS_REST_URL?: string; UPSTASH_REDIS_REST_TOKEN?: string; REDIS_KEY_PREFIX?: string }): BreakerRegistry {
  if (registry) return registry;
  const log = createLogger({ worker: "gateway", component: "breaker" });
  let store;
  try {
    store = redisFromEnv(env);
  } catch {
    log.warn("breaker state is local to each isolate: Upstash Redis is not configured");
  }
  registry = new BreakerRegistry({ ...(store ? { store } : {}), keyPrefix: env.REDIS_KEY_PREFIX || "llm-edge:", log });
  return registry;
}
