// The gateway's view of PLATFORM_CONFIG (parsed once per isolate by parsePlatformConfig): an invalid
// config fails calls with a 503 rather than guessing at routes.
import { ConfigError, GatewayError, createLogger, parsePlatformConfig, type PlatformConfig } from "@llm-edge/shared";

const log = createLogger({ worker: "gateway", component: "config" });

/**
 * The parsed platform config. When it is invalid, calls fail with a 503 `invalid_config` (the
 * problems, with their paths, go to the log and to /health) rather than guess at routes.
 */
export function gatewayConfig(env: { PLATFORM_CONFIG?: string }): PlatformConfig {
  try {
    return parsePlatformConfig(env.PLATFORM_CONFIG);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error("invalid PLATFORM_CONFIG", { problems: error.message });
    throw new GatewayError("The gateway's PLATFORM_CONFIG is invalid; GET /health lists the problems.", { type: "service_unavailable", code: "invalid_config" });
  }
}
