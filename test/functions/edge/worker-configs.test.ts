// Only the edge is reachable from the internet: every pattern Worker's wrangler config, read the way
// wrangler reads it, has workers_dev = false, no preview URLs and no routes.
import { experimental_readRawConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import { WORKER_CONFIGS } from "../../../dev/workers";

const internal = WORKER_CONFIGS.filter((config) => config !== "wrangler.toml");

describe("internal Workers", () => {
  it("are every Worker but the edge", () => {
    expect(internal.length).toBe(WORKER_CONFIGS.length - 1);
    expect(internal.length).toBeGreaterThanOrEqual(4);
  });

  it.each(internal)("%s has no public URL and no routes", (config) => {
    const { rawConfig } = experimental_readRawConfig({ config });
    expect(rawConfig.workers_dev).toBe(false);
    expect(rawConfig.preview_urls).toBe(false);
    expect(rawConfig.route).toBeUndefined();
    expect(rawConfig.routes ?? []).toEqual([]);
    expect(JSON.stringify(rawConfig.env ?? {})).not.toMatch(/"routes?"|"workers_dev":true/);
  });
});
