// Tenants and their keys: the `tenants` and `cors` sections of PlatformConfig (rate limits and spend
// budgets per tenant, with defaults), the record of an API key kept in Redis, and the admin API's
// wire schemas. The edge enforces all of it; nothing else reads it.
import { z } from "zod";

/** A fixed window: at most `limit` units (requests or tokens) per `windowSeconds`. */
export const WindowLimitSchema = z.object({
  limit: z.number().int().positive(),
  windowSeconds: z.number().int().positive().max(86_400 * 31),
});
export type WindowLimit = z.infer<typeof WindowLimitSchema>;

/** Rate limits; `null` says "no limit" explicitly (to lift a default for one tenant). */
export const RateLimitsSchema = z.object({
  requests: WindowLimitSchema.nullable().optional(),
  tokens: WindowLimitSchema.nullable().optional(),
});
export type RateLimits = z.infer<typeof RateLimitsSchema>;

/** Spend budgets in USD per UTC calendar day and month, from the gateway's cost figures. */
export const BudgetSchema = z.object({
  dailyUsd: z.number().positive().nullable().optional(),
  monthlyUsd: z.number().positive().nullable().optional(),
});
export type Budget = z.infer<typeof BudgetSchema>;

export const TenantSettingsSchema = RateLimitsSchema.extend({ budget: BudgetSchema.nullable().optional() });
export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

export const TenantsConfigSchema = z.object({
  /** Applies to every tenant; a tenant's own entry replaces it field by field (requests, tokens, budget). */
  defaults: TenantSettingsSchema.prefault({}),
  /** Settings by tenant name (the tenant an API key maps to). */
  overrides: z.record(z.string(), TenantSettingsSchema).default({}),
});
export type TenantsConfig = z.infer<typeof TenantsConfigSchema>;

/** CORS for browser frontends; off (no CORS headers, preflights refused) until origins are listed. */
export const CorsConfigSchema = z.object({
  /** Exact origins ("https://app.example.com") or "*" for any. */
  allowedOrigins: z.array(z.union([z.literal("*"), z.url().transform((url) => new URL(url).origin)])).default([]),
  /** Request headers a browser may send besides the CORS-safelisted ones. */
  allowedHeaders: z.array(z.string().min(1)).default(["authorization", "content-type", "traceparent", "x-gateway-targets", "x-gateway-cache-control", "x-gateway-review-id", "last-event-id"]),
  maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
});
export type CorsConfig = z.infer<typeof CorsConfigSchema>;

/** The effective settings of a tenant, resolved once per isolate and config. */
export interface ResolvedTenantSettings {
  requests?: WindowLimit;
  tokens?: WindowLimit;
  dailyUsd?: number;
  monthlyUsd?: number;
}

/**
 * The settings that apply to `tenant`: its entry in `overrides` field by field over `defaults`
 * (`null` in the tenant's entry lifts a default). An empty object means the tenant has no limits,
 * so the edge makes no Redis call for limits on its requests.
 */
export function tenantSettings(config: TenantsConfig, tenant: string): ResolvedTenantSettings {
  const own = config.overrides[tenant] ?? {};
  const pick = <K extends keyof TenantSettings>(field: K): TenantSettings[K] => (own[field] !== undefined ? own[field] : config.defaults[field]);
  const requests = pick("requests");
  const tokens = pick("tokens");
  const budget = pick("budget");
  return {
    ...(requests ? { requests } : {}),
    ...(tokens ? { tokens } : {}),
    ...(budget?.dailyUsd ? { dailyUsd: budget.dailyUsd } : {}),
    ...(budget?.monthlyUsd ? { monthlyUsd: budget.monthlyUsd } : {}),
  };
}

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An API key kept in Redis under the SHA-256 of its text (the text itself is never stored). */
export const ApiKeyRecordSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  name: z.string().optional(),
  /** The key's last four characters, to tell keys apart in a list. */
  hint: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
  limits: RateLimitsSchema.optional(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

/** Body of POST /v1/admin/keys. */
export const CreateApiKeyRequestSchema = z.strictObject({
  tenant: z.string().regex(TENANT_NAME, "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
  name: z.string().min(1).max(100).optional(),
  limits: RateLimitsSchema.strict().optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** How the admin API shows a key record (snake_case like OpenAI's API; never the key itself). */
export function apiKeyView(record: ApiKeyRecord): Record<string, unknown> {
  return {
    object: "api_key",
    id: record.id,
    tenant: record.tenant,
    name: record.name ?? null,
    redacted_key: `sk-edge-…${record.hint}`,
    created_at: record.createdAt,
    revoked_at: record.revokedAt ?? null,
    limits: record.limits ?? null,
  };
}
