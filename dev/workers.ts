// The Workers of the project in deploy order (bindings first, the public edge last). One list for
// the dev stack, the dry-run deploy in CI and `npm run deploy`.
export const WORKER_CONFIGS = [
  "functions/gateway/wrangler.toml",
  "functions/cache/wrangler.toml",
  "functions/guardrail/wrangler.toml",
  "functions/fanout/wrangler.toml",
  "wrangler.toml",
] as const;

/** For `wrangler dev`: the public edge first (it is the one served), then the pattern Workers. */
export const DEV_CONFIG_ORDER = ["wrangler.toml", ...WORKER_CONFIGS.filter((config) => config !== "wrangler.toml")];
