// Route planning: model alias → the ordered list of targets to try, with provider settings resolved
// from env. Rules pick targets by request metadata, streaming or tools; strategies order them; a
// per-request override may only name targets the config already knows (never a new host).
import { GatewayError, targetId, type ChatCompletionRequest, type PlatformConfig, type Route, type Target } from "@llm-edge/shared";
import type { ProviderType, ResolvedTarget } from "./providers/types";

const DEFAULT_BASE_URLS: Partial<Record<ProviderType, string>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
};
/** The official endpoints need a key; a custom base URL (a proxy, the simulator) may not. */
const KEY_REQUIRED_ON_DEFAULT_URL: ReadonlySet<ProviderType> = new Set(["openai", "anthropic"]);

export interface RoutePlan {
  alias: string;
  route: Route;
  targets: ResolvedTarget[];
  /** Targets that cannot be called at all (missing URL or key), with the reason. */
  unusable: Array<{ target: string; reason: string }>;
}

type Settings = Record<string, unknown>;

function setting(env: Settings, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Expands a leading "$NAME" in a base URL from env; undefined when the variable is unset. */
function expandBaseUrl(template: string, env: Settings): string | undefined {
  const match = /^\$([A-Z][A-Z0-9_]*)(.*)$/.exec(template);
  if (!match) return template;
  const value = setting(env, match[1]!);
  return value === undefined ? undefined : `${value.replace(/\/+$/, "")}${match[2]}`;
}

/** Resolves one configured target against env: base URL, key, headers. Returns the reason when it cannot be used. */
export function resolveTarget(config: PlatformConfig, target: Target, env: Settings): ResolvedTarget | { unusable: string } {
  const provider = config.providers[target.provider];
  if (!provider) return { unusable: `unknown provider "${target.provider}"` };
  const template = provider.baseUrl ?? DEFAULT_BASE_URLS[provider.type];
  const baseUrl = template === undefined ? undefined : expandBaseUrl(template, env);
  if (provider.type !== "workers-ai" && baseUrl === undefined) return { unusable: `base URL not configured (${provider.baseUrl ?? "none"})` };
  const apiKey = provider.apiKeySecret ? setting(env, provider.apiKeySecret) : undefined;
  if (KEY_REQUIRED_ON_DEFAULT_URL.has(provider.type) && provider.baseUrl === undefined && apiKey === undefined) return { unusable: `missing secret ${provider.apiKeySecret ?? "(apiKeySecret not set)"}` };
  return {
    id: targetId(target),
    provider: target.provider,
    type: provider.type,
    model: target.model,
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(provider.headers ? { headers: provider.headers } : {}),
  };
}

function matchingTargets(route: Route, request: ChatCompletionRequest | undefined): Target[] {
  for (const rule of route.rules) {
    const { metadata, stream, tools } = rule.when;
    if (metadata && !Object.entries(metadata).every(([key, value]) => request?.metadata?.[key] === value)) continue;
    if (stream !== undefined && Boolean(request?.stream) !== stream) continue;
    if (tools !== undefined && Boolean(request?.tools?.length) !== tools) continue;
    return rule.targets;
  }
  return route.targets;
}

function order(targets: Target[], route: Route, config: PlatformConfig, random: () => number): Target[] {
  if (route.strategy === "cheapest") {
    const price = (target: Target) => {
      const p = config.prices[target.model];
      return p ? p.input + p.output : Number.POSITIVE_INFINITY;
    };
    return [...targets].sort((a, b) => price(a) - price(b));
  }
  if (route.strategy === "weighted") {
    const total = targets.reduce((sum, target) => sum + (target.weight ?? 0), 0);
    let pick = random() * total;
    const first = targets.find((target) => (pick -= target.weight ?? 0) < 0) ?? targets[targets.length - 1]!;
    return [first, ...targets.filter((target) => target !== first)];
  }
  return targets;
}

function knownTargets(config: PlatformConfig): Map<string, Target> {
  const known = new Map<string, Target>();
  for (const route of Object.values(config.routes)) {
    for (const target of [...route.targets, ...route.rules.flatMap((rule) => rule.targets)]) known.set(targetId(target), target);
  }
  return known;
}

/**
 * Plans a call: finds the route of `alias` (404 model_not_found when there is none), picks targets by
 * rules, strategy or the override (400 when it names a target the config does not know), and
 * resolves each against env.
 */
export function planRoute(
  config: PlatformConfig,
  alias: string,
  env: Settings,
  options: { request?: ChatCompletionRequest; override?: string[]; random?: () => number } = {},
): RoutePlan {
  const route = config.routes[alias];
  if (!route) {
    throw new GatewayError(`The model \`${alias}\` does not exist or you do not have access to it.`, {
      type: "not_found_error",
      code: "model_not_found",
      param: "model",
    });
  }
  let targets: Target[];
  if (options.override?.length) {
    const known = knownTargets(config);
    targets = options.override.map((id) => {
      const target = known.get(id);
      if (!target) throw new GatewayError(`x-gateway-targets names an unknown target "${id}"; use ids of configured targets ("provider/model").`, { type: "invalid_request_error", code: "unknown_target" });
      return target;
    });
  } else {
    targets = order(matchingTargets(route, options.request), route, config, options.random ?? Math.random);
  }
  const plan: RoutePlan = { alias, route, targets: [], unusable: [] };
  for (const target of targets) {
    const resolved = resolveTarget(config, target, env);
    if ("unusable" in resolved) plan.unusable.push({ target: targetId(target), reason: resolved.unusable });
    else plan.targets.push(resolved);
  }
  return plan;
}
