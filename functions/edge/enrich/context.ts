// What the enrichment routes, the cron drain and the queue consumer need from the edge's Env: the
// enrichment section of PLATFORM_CONFIG, the store on Upstash Redis under REDIS_KEY_PREFIX, the
// fan-out coordinator and the ENRICH_QUEUE producer (queue delivery). Missing Redis or an invalid config is a clear 503 for the routes and a logged
// skip for the cron, never a crash.
import { ConfigError, GatewayError, parsePlatformConfig, redisFromEnv, type FanoutRpc } from "@llm-edge/shared";
import type { EnrichmentConfig } from "@llm-edge/shared/enrich-config";
import type { EnrichMessage } from "./delivery";
import { enrichKeys } from "./keys";
import { EnrichStore } from "./store";

export interface EnrichContext {
  config: EnrichmentConfig;
  store: EnrichStore;
  fanout: FanoutRpc;
  /** The queue of queue delivery; undefined when the Worker has no ENRICH_QUEUE binding. */
  queue: Queue<EnrichMessage> | undefined;
}

/** The enrichment context, or a GatewayError (503) saying what is missing. */
export function enrichContext(env: Env): EnrichContext | GatewayError {
  let config: EnrichmentConfig;
  try {
    config = parsePlatformConfig(env.PLATFORM_CONFIG).enrichment;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return new GatewayError("Enrichment is unavailable: the platform configuration is invalid.", { type: "service_unavailable", code: "invalid_config", status: 503 });
  }
  if (!config.enabled) return new GatewayError("Enrichment is switched off in the platform configuration.", { type: "service_unavailable", code: "enrichment_disabled", status: 503 });
  let redis;
  try {
    redis = redisFromEnv(env);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  const prefix = env.REDIS_KEY_PREFIX || "llm-edge:";
  return { config, store: new EnrichStore(redis, enrichKeys(prefix), config), fanout: env.FANOUT as unknown as FanoutRpc, queue: env.ENRICH_QUEUE as Queue<EnrichMessage> | undefined };
}
