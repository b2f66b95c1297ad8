// The `tenants` section of PlatformConfig: a tenant's entry replaces the defaults field by field,
// null lifts a default, and wrong values are config errors naming their path.
import { describe, expect, it } from "vitest";
import { ConfigError, PlatformConfigSchema, parsePlatformConfig, tenantSettings } from "../../../shared";
import { DEV_CONFIG_INPUT } from "../../../shared/dev-config";

const tenants = PlatformConfigSchema.parse({
  ...DEV_CONFIG_INPUT,
  tenants: {
    defaults: { requests: { limit: 100, windowSeconds: 60 }, budget: { dailyUsd: 5 } },
    overrides: {
      big: { requests: { limit: 1000, windowSeconds: 60 }, tokens: { limit: 50_000, windowSeconds: 60 } },
      free: { requests: null, budget: null },
    },
  },
}).tenants;

describe("tenant settings", () => {
  it("applies defaults to tenants without an entry", () => {
    expect(tenantSettings(tenants, "someone")).toEqual({ requests: { limit: 100, windowSeconds: 60 }, dailyUsd: 5 });
  });

  it("lets a tenant's entry replace defaults field by field, and null lift one", () => {
    expect(tenantSettings(tenants, "big")).toEqual({ requests: { limit: 1000, windowSeconds: 60 }, tokens: { limit: 50_000, windowSeconds: 60 }, dailyUsd: 5 });
    expect(tenantSettings(tenants, "free")).toEqual({});
  });

  it("has no limits at all when the config has no tenants section", () => {
    expect(tenantSettings(PlatformConfigSchema.parse(DEV_CONFIG_INPUT).tenants, "anyone")).toEqual({});
  });

  it("names the path of a wrong value", () => {
    const bad = { ...DEV_CONFIG_INPUT, tenants: { overrides: { x: { requests: { limit: -1, windowSeconds: 60 } } } }, cors: { allowedOrigins: ["not a url"] } };
    expect(() => parsePlatformConfig(JSON.stringify(bad))).toThrow(ConfigError);
    expect(() => parsePlatformConfig(JSON.stringify(bad))).toThrow(/tenants\.overrides\.x\.requests\.limit[\s\S]*cors\.allowedOrigins\.0/);
  });
});
