// Per-model settings with their global defaults: TTL and similarity threshold.
import type { CacheConfig } from "@llm-edge/shared";

/** TTL of new entries for a model alias, in seconds. */
export function ttlSecondsFor(config: CacheConfig, model: string): number {
  return config.models[model]?.ttlSeconds ?? config.ttlSeconds;
}

/** The longest TTL any entry can have: how long the per-tenant indexes must live. */
export function maxTtlSeconds(config: CacheConfig): number {
  return Math.max(config.ttlSeconds, ...Object.values(config.models).map((override) => override.ttlSeconds ?? 0));
}

/** Minimum cosine similarity of a semantic hit for a model alias. */
export function thresholdFor(config: CacheConfig, model: string): number {
  return config.models[model]?.threshold ?? config.threshold;
}
