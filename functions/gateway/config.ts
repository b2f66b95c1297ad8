// The gateway's view of PLATFORM_CONFIG: parsed once per isolate (and again only when it changes),
// so the hot path never re-validates config.
import { parsePlatformConfig, type PlatformConfig } from "@llm-edge/shared";

let cached: { raw: unknown; config: PlatformConfig } | undefined;

/** The parsed platform config; throws ConfigError (with every problem listed) when it is invalid. */
export function gatewayConfig(env: { PLATFORM_CONFIG?: string }): PlatformConfig {
  if (cached && cached.raw === env.PLATFORM_CONFIG) return cached.config;
  const config = parsePlatformConfig(env.PLATFORM_CONFIG);
  cached = { raw: env.PLATFORM_CONFIG, config };
  return config;
}
