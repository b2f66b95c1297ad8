// The platform configuration: one zod-validated object (providers, model routes, tenants' keys).
// Workers read it from the PLATFORM_CONFIG variable (JSON) and fail loudly at startup when it is
// wrong; without it, the offline dev configuration below applies.
import { z } from "zod";

export const ProviderSchema = z.object({
  type: z.enum(["openai", "anthropic", "openai-compatible", "workers-ai", "simulated"]),
  /** Base URL of the provider's API, or the name of the variable that holds it (e.g. "$SIM_PROVIDER_URL"). */
  baseUrl: z.string().min(1).optional(),
  /** Name of the secret that holds the API key; the key itself never appears in config. */
  apiKeySecret: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be an environment variable name").optional(),
});
export type Provider = z.infer<typeof ProviderSchema>;

export const TargetSchema = z.object({
  provider: z.string().min(1),
  model: z.string().min(1),
});
export type Target = z.infer<typeof TargetSchema>;

export const RouteSchema = z.object({
  targets: z.array(TargetSchema).min(1),
});
export type Route = z.infer<typeof RouteSchema>;

export const PlatformConfigSchema = z
  .object({
    providers: z.record(z.string(), ProviderSchema),
    routes: z.record(z.string(), RouteSchema),
  })
  .superRefine((config, ctx) => {
    for (const [alias, route] of Object.entries(config.routes)) {
      route.targets.forEach((target, index) => {
        if (!(target.provider in config.providers)) {
          ctx.addIssue({
            code: "custom",
            path: ["routes", alias, "targets", index, "provider"],
            message: `unknown provider "${target.provider}"`,
          });
        }
      });
    }
  });
export type PlatformConfig = z.infer<typeof PlatformConfigSchema>;

/** The offline dev configuration: alias `default` → sim-primary, then sim-secondary. */
export const DEV_CONFIG: PlatformConfig = {
  providers: { sim: { type: "simulated", baseUrl: "$SIM_PROVIDER_URL" } },
  routes: {
    default: {
      targets: [
        { provider: "sim", model: "sim-primary" },
        { provider: "sim", model: "sim-secondary" },
      ],
    },
  },
};

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses PLATFORM_CONFIG (a JSON string or an already-parsed object). Missing → DEV_CONFIG. Invalid →
 * ConfigError whose message lists every problem with its path, e.g.
 * `routes.default.targets.0.provider: unknown provider "x"`.
 */
export function parsePlatformConfig(raw: unknown): PlatformConfig {
  if (raw === undefined || raw === null || raw === "") return DEV_CONFIG;
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ConfigError(`PLATFORM_CONFIG is not valid JSON: ${(error as Error).message}`);
    }
  }
  const result = PlatformConfigSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new ConfigError(`PLATFORM_CONFIG is invalid:\n  ${problems.join("\n  ")}`);
  }
  return result.data;
}
