// Gateway health: the routing config parses, and every provider it names has its base URL and key.
import { parsePlatformConfig, workerHealth, type DependencyCheck, type WorkerHealth } from "@llm-edge/shared";

/** Config names secrets and URLs by variable name, so they are looked up by name. */
function missingSetting(name: string, env: Env): boolean {
  const value: unknown = Reflect.get(env, name);
  return typeof value !== "string" || value === "";
}

export function gatewayHealth(env: Env): WorkerHealth {
  let config;
  try {
    config = parsePlatformConfig(env.PLATFORM_CONFIG);
  } catch (error) {
    return workerHealth("gateway", { config: { status: "down", detail: (error as Error).message } });
  }
  const checks: Record<string, DependencyCheck> = {
    config: { status: "ok", detail: `${Object.keys(config.routes).length} routes` },
  };
  for (const [name, provider] of Object.entries(config.providers)) {
    const missing: string[] = [];
    if (provider.baseUrl?.startsWith("$") && missingSetting(provider.baseUrl.slice(1), env)) missing.push(provider.baseUrl.slice(1));
    if (provider.apiKeySecret && missingSetting(provider.apiKeySecret, env)) missing.push(provider.apiKeySecret);
    checks[`provider:${name}`] = missing.length
      ? { status: "degraded", detail: `missing ${missing.join(", ")}` }
      : { status: "ok" };
  }
  return workerHealth("gateway", checks);
}
