// The platform configuration: one zod-validated object (providers, model routes, prices). Workers
// read it from PLATFORM_CONFIG (JSON) and fail loudly when it is wrong; without it, the offline dev
// configuration (dev-config.ts) applies.
import { z } from "zod";
import { CacheConfigSchema } from "./cache-config";
import { DEV_CONFIG_INPUT } from "./dev-config";
import { EnrichmentConfigSchema } from "./enrich-config";
import { GuardrailConfigSchema } from "./guardrail-config";
import { LOG_LEVELS, type LogLevel } from "./log";
import { BreakerPolicySchema, FallbackPolicySchema, OutputValidationSchema, RetryPolicySchema, TimeoutPolicySchema } from "./policies";
import { CorsConfigSchema, TenantsConfigSchema } from "./tenants";

const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

export const ProviderSchema = z.object({
  type: z.enum(["openai", "anthropic", "openai-compatible", "workers-ai", "simulated"]),
  /** Base URL with the version path ("https://api.openai.com/v1"); may start with a variable: "$SIM_PROVIDER_URL/v1". */
  baseUrl: z.string().min(1).optional(),
  /** Name of the secret that holds the API key; the key itself never appears in config. */
  apiKeySecret: z.string().regex(ENV_NAME, "must be an environment variable name").optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type Provider = z.infer<typeof ProviderSchema>;

export const TargetSchema = z.object({
  provider: z.string().min(1),
  model: z.string().min(1),
  /** Relative share of first attempts for strategy "weighted". */
  weight: z.number().positive().optional(),
});
export type Target = z.infer<typeof TargetSchema>;

export const RouteRuleSchema = z.object({
  /** Every given condition must hold: request metadata values, streaming, tools present. */
  when: z.object({
    metadata: z.record(z.string(), z.string()).optional(),
    stream: z.boolean().optional(),
    tools: z.boolean().optional(),
  }),
  targets: z.array(TargetSchema).min(1),
});

export const RouteSchema = z.object({
  targets: z.array(TargetSchema).min(1),
  /** ordered: as listed; weighted: first target drawn by weight, the rest as fallbacks; cheapest: by price. */
  strategy: z.enum(["ordered", "weighted", "cheapest"]).default("ordered"),
  rules: z.array(RouteRuleSchema).default([]),
  retry: RetryPolicySchema.prefault({}),
  timeouts: TimeoutPolicySchema.prefault({}),
  breaker: BreakerPolicySchema.prefault({}),
  fallback: FallbackPolicySchema.prefault({}),
  validateOutput: OutputValidationSchema.prefault({}),
});
export type Route = z.infer<typeof RouteSchema>;

/** USD per million tokens. */
export const PriceSchema = z.object({ input: z.number().min(0), output: z.number().min(0) });
export type Price = z.infer<typeof PriceSchema>;

/**
 * Load shedding at the edge: while this many requests are in flight in one isolate (until each
 * response starts), a new /v1 request is answered at once with 503 `overloaded` and Retry-After,
 * instead of joining a queue whose latency only grows. Requests waiting on a slow provider hold
 * no CPU, so size it to what one isolate sustains for your traffic (the local 2-core stack: ~64).
 */
export const OverloadConfigSchema = z.object({
  maxInFlight: z.number().int().positive().default(1_000),
  retryAfterSeconds: z.number().int().positive().max(60).default(1),
});
export type OverloadConfig = z.infer<typeof OverloadConfigSchema>;

/**
 * Logging for every Worker. At "info" (the default) the edge writes one "request" line per request
 * with what the pipeline did (route, target, attempts, cache, guardrail verdicts, cost) and the other
 * Workers write only what needs attention (a failed attempt, a breaker that opened, a cache that
 * failed open, an RPC that failed); "debug" adds one "rpc done" line per RPC call of every Worker.
 */
export const LoggingConfigSchema = z.object({
  level: z.enum(LOG_LEVELS).default("info"),
});

export const PlatformConfigSchema = z
  .object({
    providers: z.record(z.string(), ProviderSchema),
    routes: z.record(z.string(), RouteSchema),
    /** Prices by upstream model name; models without a price cost 0 and say so in logs. */
    prices: z.record(z.string(), PriceSchema).default({}),
    guardrails: GuardrailConfigSchema.prefault({}),
    cache: CacheConfigSchema.prefault({}),
    enrichment: EnrichmentConfigSchema.prefault({}),
    /** Rate limits and spend budgets per tenant (the edge enforces them). */
    tenants: TenantsConfigSchema.prefault({}),
    /** CORS for browser frontends (off until origins are listed). */
    cors: CorsConfigSchema.prefault({}),
    overload: OverloadConfigSchema.prefault({}),
    logging: LoggingConfigSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const [alias, route] of Object.entries(config.routes)) {
      const lists = [{ path: ["targets"], targets: route.targets }, ...route.rules.map((rule, i) => ({ path: ["rules", i, "targets"], targets: rule.targets }))];
      for (const { path, targets } of lists) {
        targets.forEach((target, index) => {
          if (!(target.provider in config.providers)) {
            ctx.addIssue({ code: "custom", path: ["routes", alias, ...path, index, "provider"], message: `unknown provider "${target.provider}"` });
          }
        });
      }
      if (route.strategy === "weighted" && route.targets.some((target) => target.weight === undefined)) {
        ctx.addIssue({ code: "custom", path: ["routes", alias, "targets"], message: 'strategy "weighted" needs a weight on every target' });
      }
    }
  });
export type PlatformConfig = z.infer<typeof PlatformConfigSchema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

let lastParsed: { raw: unknown; result: PlatformConfig | ConfigError } | undefined;

/**
 * Parses PLATFORM_CONFIG (a JSON string or an already-parsed object). Missing → the dev config.
 * Invalid → ConfigError whose message lists every problem with its path, e.g.
 * `routes.default.targets.0.provider: unknown provider "x"`. The last result is kept, so a Worker
 * that calls this on every request parses its config once per isolate (again only when it changes).
 */
export function parsePlatformConfig(raw: unknown): PlatformConfig {
  const parsed = lastParsed !== undefined && lastParsed.raw === raw ? lastParsed : (lastParsed = { raw, result: parseUncached(raw) });
  if (parsed.result instanceof ConfigError) throw parsed.result;
  return parsed.result;
}

function parseUncached(raw: unknown): PlatformConfig | ConfigError {
  let value: unknown = raw === undefined || raw === null || raw === "" ? DEV_CONFIG_INPUT : raw;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (error) {
      return new ConfigError(`PLATFORM_CONFIG is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = PlatformConfigSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    return new ConfigError(`PLATFORM_CONFIG is invalid:\n  ${problems.join("\n  ")}`);
  }
  return result.data;
}

/**
 * The platform config for a Worker that can work without it (it only skips work the config switches
 * off): undefined, after `onInvalid` (log the problems), when PLATFORM_CONFIG is invalid.
 */
export function optionalPlatformConfig(raw: unknown, onInvalid: (error: ConfigError) => void): PlatformConfig | undefined {
  try {
    return parsePlatformConfig(raw);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    onInvalid(error);
    return undefined;
  }
}

/** The log level PLATFORM_CONFIG names; "info" when it is invalid (the Worker's config path logs why). */
export function logLevelOf(raw: unknown): LogLevel {
  return optionalPlatformConfig(raw, () => {})?.logging.level ?? "info";
}

/** The id of a target in headers, breakers and overrides: "<provider>/<model>". */
export function targetId(target: Pick<Target, "provider" | "model">): string {
  return `${target.provider}/${target.model}`;
}
