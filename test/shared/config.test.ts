import { describe, expect, it } from "vitest";
import { ConfigError, logLevelOf, parsePlatformConfig } from "../../shared/config";

describe("platform config", () => {
  it("uses the offline dev config when none is set: alias default → sim-primary, then sim-secondary", () => {
    for (const raw of [undefined, ""]) {
      const config = parsePlatformConfig(raw);
      expect(config.routes.default?.targets.map((target) => target.model)).toEqual(["sim-primary", "sim-secondary"]);
      expect(config.providers.sim?.baseUrl).toBe("$SIM_PROVIDER_URL/v1");
    }
  });

  it("fills every route's policies with their defaults", () => {
    const route = parsePlatformConfig({ providers: { p: { type: "openai" } }, routes: { r: { targets: [{ provider: "p", model: "m" }], retry: { maxAttempts: 5 } } } }).routes.r!;
    expect(route.retry).toEqual({ maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 });
    expect(route.timeouts).toEqual({ totalMs: 60_000, firstTokenMs: 20_000, idleMs: 20_000 });
    expect(route.breaker.consecutiveFailures).toBe(5);
    expect(route.fallback.statuses).toContain(503);
    expect(route.strategy).toBe("ordered");
  });

  it("logging.level: info by default, the configured level, info again for a config that does not parse", () => {
    const base = { providers: { p: { type: "openai" } }, routes: { r: { targets: [{ provider: "p", model: "m" }] } } };
    expect(logLevelOf(JSON.stringify(base))).toBe("info");
    expect(logLevelOf(JSON.stringify({ ...base, logging: { level: "debug" } }))).toBe("debug");
    expect(logLevelOf("{not json")).toBe("info");
    expect(() => parsePlatformConfig({ ...base, logging: { level: "verbose" } })).toThrow(/logging\.level/);
  });

  it("requires weights on every target of a weighted route", () => {
    expect(() => parsePlatformConfig({ providers: { p: { type: "openai" } }, routes: { r: { strategy: "weighted", targets: [{ provider: "p", model: "m", weight: 1 }, { provider: "p", model: "n" }] } } })).toThrow(/needs a weight on every target/);
  });

  it("accepts a valid JSON config", () => {
    const config = parsePlatformConfig(JSON.stringify({
      providers: { openai: { type: "openai", apiKeySecret: "OPENAI_API_KEY" } },
      routes: { fast: { targets: [{ provider: "openai", model: "gpt-4o-mini" }] } },
    }));
    expect(config.routes.fast?.targets[0]?.model).toBe("gpt-4o-mini");
  });

  it("names every problem with its path", () => {
    const attempt = () => parsePlatformConfig({
      providers: { openai: { type: "openai", apiKeySecret: "sk-not-a-name" } },
      routes: { fast: { targets: [{ provider: "nope", model: "x" }] }, empty: { targets: [] } },
    });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/providers\.openai\.apiKeySecret: must be an environment variable name/);
    expect(attempt).toThrow(/routes\.fast\.targets\.0\.provider: unknown provider "nope"/);
    expect(attempt).toThrow(/routes\.empty\.targets/);
  });

  it("reports broken JSON clearly", () => {
    expect(() => parsePlatformConfig("{not json")).toThrow(/PLATFORM_CONFIG is not valid JSON/);
  });

  it("parses the same PLATFORM_CONFIG once (same object back) and again when it changes", () => {
    const raw = JSON.stringify({ providers: { p: { type: "openai" } }, routes: { r: { targets: [{ provider: "p", model: "m" }] } } });
    const first = parsePlatformConfig(raw);
    expect(parsePlatformConfig(raw)).toBe(first);
    expect(parsePlatformConfig(raw.replace('"m"', '"n"')).routes.r?.targets[0]?.model).toBe("n");
    expect(() => parsePlatformConfig("{broken")).toThrow(ConfigError);
    expect(() => parsePlatformConfig("{broken")).toThrow(ConfigError);
  });
});
