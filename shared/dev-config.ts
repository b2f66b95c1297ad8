// The offline dev configuration: every route points at the simulated provider (dev/sim-provider),
// on its OpenAI wire ("sim") and its Anthropic wire ("sim-anthropic"). Used when PLATFORM_CONFIG is empty.
import type { z } from "zod";
import type { PlatformConfigSchema } from "./config";

export const DEV_CONFIG_INPUT: z.input<typeof PlatformConfigSchema> = {
  providers: {
    sim: { type: "simulated", baseUrl: "$SIM_PROVIDER_URL/v1" },
    "sim-anthropic": { type: "anthropic", baseUrl: "$SIM_PROVIDER_URL/v1" },
  },
  routes: {
    default: {
      targets: [
        { provider: "sim", model: "sim-primary" },
        { provider: "sim", model: "sim-secondary" },
      ],
      breaker: { cooldownMs: 2_000, maxCooldownMs: 30_000 },
    },
    "sim-primary": { targets: [{ provider: "sim", model: "sim-primary" }] },
    "sim-secondary": { targets: [{ provider: "sim", model: "sim-secondary" }] },
    "sim-claude": { targets: [{ provider: "sim-anthropic", model: "sim-claude" }] },
    "sim-embed": { targets: [{ provider: "sim", model: "sim-embed" }] },
  },
  prices: {
    "sim-primary": { input: 0.15, output: 0.6 },
    "sim-secondary": { input: 0.1, output: 0.4 },
    "sim-claude": { input: 3, output: 15 },
    "sim-embed": { input: 0.02, output: 0 },
  },
};
