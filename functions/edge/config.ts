// The edge's view of PLATFORM_CONFIG (parsed once per isolate by parsePlatformConfig). The edge
// reads it only to skip work the config switches off; an invalid config is logged and leaves every
// decision to the Worker that owns it (each reports the problems on /health).
import { createLogger, optionalPlatformConfig, type PlatformConfig } from "@llm-edge/shared";

const log = createLogger({ worker: "edge", component: "config" });

/** The platform config, or undefined when PLATFORM_CONFIG is invalid. */
export function edgeConfig(env: { PLATFORM_CONFIG?: string }): PlatformConfig | undefined {
  return optionalPlatformConfig(env.PLATFORM_CONFIG, (error) => log.error("invalid PLATFORM_CONFIG: every pipeline step asks its Worker", { problems: error.message }));
}
