// The guardrail's view of the environment: PLATFORM_CONFIG.guardrails (parsed once per isolate by
// parsePlatformConfig) and the review queue on Upstash Redis under REDIS_KEY_PREFIX.
import { ConfigError, GatewayError, createLogger, parsePlatformConfig, redisFromEnv, type GuardrailConfig } from "@llm-edge/shared";
import { ReviewQueue } from "./review-queue";

const log = createLogger({ worker: "guardrail", component: "config" });

export interface GuardrailEnv {
  PLATFORM_CONFIG?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  REDIS_KEY_PREFIX?: string;
}

/** The guardrail config; an invalid PLATFORM_CONFIG fails calls with a 503 `invalid_config` rather than guess. */
export function guardrailConfig(env: GuardrailEnv): GuardrailConfig {
  try {
    return parsePlatformConfig(env.PLATFORM_CONFIG).guardrails;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error("invalid PLATFORM_CONFIG", { problems: error.message });
    throw new GatewayError("The guardrail's PLATFORM_CONFIG is invalid; GET /health lists the problems.", { type: "service_unavailable", code: "invalid_config" });
  }
}

/** The review queue, or undefined when Upstash Redis is not configured (escalations then answer 503). */
export function reviewQueueFromEnv(env: GuardrailEnv, config: GuardrailConfig): ReviewQueue | undefined {
  if (!env.UPSTASH_REDIS_REST_URL || !env.UPSTASH_REDIS_REST_TOKEN) return undefined;
  return new ReviewQueue(redisFromEnv(env), {
    keyPrefix: `${env.REDIS_KEY_PREFIX || "llm-edge:"}guardrail:`,
    pendingTtlSeconds: config.review.pendingTtlSeconds,
    retentionSeconds: config.review.retentionSeconds,
  });
}
