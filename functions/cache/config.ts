// The cache's view of PLATFORM_CONFIG: its `cache` section, parsed once per isolate (again only
// when the variable changes). An invalid config turns the cache off (BYPASS "invalid_config")
// instead of failing requests; the problems go to the log.
import { ConfigError, createLogger, parsePlatformConfig, type CacheConfig } from "@llm-edge/shared";

const log = createLogger({ worker: "cache", component: "config" });

let cached: { raw: string | undefined; config: CacheConfig | undefined } | undefined;

/** The cache settings, or undefined when PLATFORM_CONFIG is invalid. */
export function cacheConfig(env: { PLATFORM_CONFIG?: string }): CacheConfig | undefined {
  if (cached && cached.raw === env.PLATFORM_CONFIG) return cached.config;
  let config: CacheConfig | undefined;
  try {
    config = parsePlatformConfig(env.PLATFORM_CONFIG).cache;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error("invalid PLATFORM_CONFIG: the cache is bypassed", { problems: error.message });
  }
  cached = { raw: env.PLATFORM_CONFIG, config };
  return config;
}
