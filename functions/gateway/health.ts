// Gateway health: the routing config parses, every provider it names has its base URL and key, and
// each target's circuit breaker state (open or half-open makes the gateway "degraded", not "down").
import { parsePlatformConfig, workerHealth, type DependencyCheck, type WorkerHealth } from "@llm-edge/shared";
import type { BreakerSnapshot } from "./breaker/state";
import { resolveTarget } from "./plan";

export function gatewayHealth(env: Env, breakers: Record<string, BreakerSnapshot>): WorkerHealth {
  let config;
  try {
    config = parsePlatformConfig(env.PLATFORM_CONFIG);
  } catch (error) {
    return workerHealth("gateway", { config: { status: "down", detail: (error as Error).message } });
  }
  const checks: Record<string, DependencyCheck> = {
    config: { status: "ok", detail: `${Object.keys(config.routes).length} routes` },
  };
  const settings = env as unknown as Record<string, unknown>;
  for (const [name, provider] of Object.entries(config.providers)) {
    const resolved = resolveTarget(config, { provider: name, model: "health" }, settings);
    checks[`provider:${name}`] = "unusable" in resolved ? { status: "degraded", detail: resolved.unusable } : { status: "ok", detail: provider.type };
  }
  for (const [target, snapshot] of Object.entries(breakers)) {
    checks[`breaker:${target}`] = {
      status: snapshot.state === "closed" ? "ok" : "degraded",
      detail: snapshot.state === "closed" ? "closed" : `${snapshot.state}, trips ${snapshot.trips}${snapshot.openUntil ? `, until ${new Date(snapshot.openUntil).toISOString()}` : ""}`,
    };
  }
  return workerHealth("gateway", checks);
}
