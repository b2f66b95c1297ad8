import { describe, expect, it } from "vitest";
import { ConfigError, DEV_CONFIG, parsePlatformConfig } from "../../shared/config";

describe("platform config", () => {
  it("uses the offline dev config when none is set", () => {
    expect(parsePlatformConfig(undefined)).toBe(DEV_CONFIG);
    expect(parsePlatformConfig("")).toBe(DEV_CONFIG);
    expect(DEV_CONFIG.routes.default?.targets.map((target) => target.model)).toEqual(["sim-primary", "sim-secondary"]);
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
});
