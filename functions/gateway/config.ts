// The gateway's view of PLATFORM_CONFIG: parsed once per isolate (and again only when it changes),
// so the hot path never re-validates config.
import { ConfigError, GatewayError, createLogger, parsePlatformConfig, type PlatformConfig } from "@llm-edge/shared";

const log = createLogger({ worker: "gateway", component: "config" });

let cached: { raw: unknown; config: PlatformConfig } | undefined;

/**
 * The parsed platform config. When it is invalid, calls fail with a 503 `invalid_config` (the
 * problems, with their paths, go to the log and to /health) rather than guess at routes.
 */
export function gatewayConfig(env: { PLATFORM_CONFIG?: string }): PlatformConfig {
  if (cached && cached.raw === env.PLATFORM_CONFIG) return cached.config;
  let config: PlatformConfig;
  try {
    config = parsePlatformConfig(env.PLATFORM_CONFIG);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error("invalid PLATFORM_CONFIG", { problems: error.message });
    throw new GatewayError("The gateway's PLATFORM_CONFIG is invalid; GET /health lists the problems.", { type: "service_unavailable", code: "invalid_config" });
  }
  cached = { raw: env.PLATFORM_CONFIG, config };
  return config;
}
