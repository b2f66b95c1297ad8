// The cache's view of PLATFORM_CONFIG: its `cache` section (parsed once per isolate by
// parsePlatformConfig). An invalid config turns the cache off (BYPASS "invalid_config")
// instead of failing requests; the problems go to the log.
import { createLogger, optionalPlatformConfig, type CacheConfig } from "@llm-edge/shared";

const log = createLogger({ worker: "cache", component: "config" });

/** The cache settings, or undefined when PLATFORM_CONFIG is invalid. */
export function cacheConfig(env: { PLATFORM_CONFIG?: string }): CacheConfig | undefined {
  return optionalPlatformConfig(env.PLATFORM_CONFIG, (error) => log.error("invalid PLATFORM_CONFIG: the cache is bypassed", { problems: error.message }))?.cache;
}
