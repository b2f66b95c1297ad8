// The routing config of the integration stack: the dev config's routes plus one route per scenario,
// each on simulated models of its own, so breaker state and faults of one test never leak into another.
import { DEV_CONFIG_INPUT } from "../../shared/dev-config";
import { ENRICH_TEST_CONFIG, ENRICH_TEST_ROUTES } from "./enrich/config";

const fastRetry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 };
const sim = (model: string) => ({ provider: "sim", model });

export const TEST_PLATFORM_CONFIG = {
  ...DEV_CONFIG_INPUT,
  // Every Worker's "rpc done" line, so the trace tests can follow one request across Workers.
  logging: { level: "debug" },
  routes: {
    ...DEV_CONFIG_INPUT.routes,
    "t-retry": { targets: [sim("t-retry-a")], retry: fastRetry },
    "t-fallback": { targets: [sim("t-fb-a"), sim("t-fb-b")], retry: { ...fastRetry, maxAttempts: 2 } },
    "t-timeout": {
      targets: [sim("t-to-a"), sim("t-to-b")],
      retry: { ...fastRetry, maxAttempts: 1 },
      timeouts: { firstTokenMs: 400, idleMs: 400, totalMs: 5_000 },
    },
    "t-stream": { targets: [sim("t-st-a"), sim("t-st-b")], retry: { ...fastRetry, maxAttempts: 1 }, timeouts: { idleMs: 500 } },
    // Slow streams of their own (no fallback, no breaker shared with the fault tests): stream-delivery.test.ts.
    "t-slow-stream": { targets: [sim("t-slow-a")] },
    "t-slow-cache": { targets: [sim("t-slow-cache-a")] },
    "t-invalid": { targets: [sim("t-inv-a"), sim("t-inv-b")], retry: fastRetry },
    "t-budget": { targets: [sim("t-bud-a")], retry: { ...fastRetry, maxAttempts: 5 }, timeouts: { totalMs: 1_000 } },
    "t-breaker": {
      targets: [sim("t-br-a"), sim("t-br-b")],
      retry: { ...fastRetry, maxAttempts: 1 },
      breaker: { consecutiveFailures: 3, minRequests: 100, cooldownMs: 1_000, maxCooldownMs: 4_000, halfOpenProbes: 1 },
    },
    "t-sla": {
      targets: [sim("t-sla-a"), sim("t-sla-b")],
      retry: { ...fastRetry, maxAttempts: 1 },
      breaker: { consecutiveFailures: 2, minRequests: 100, latencySlaMs: 150, cooldownMs: 30_000 },
    },
    "t-rules": {
      targets: [sim("t-rules-default")],
      rules: [
        { when: { metadata: { tier: "premium" } }, targets: [sim("t-rules-premium")] },
        { when: { stream: true }, targets: [sim("t-rules-stream")] },
      ],
    },
    "t-weighted": { strategy: "weighted", targets: [{ ...sim("t-w-a"), weight: 1 }, { ...sim("t-w-b"), weight: 3 }] },
    "t-cheapest": { strategy: "cheapest", targets: [sim("sim-primary"), sim("sim-secondary")] },
    "t-guard": { targets: [sim("t-guard-a")] },
    "t-cache": { targets: [sim("t-cache-a")] },
    "t-guard-echo": { targets: [sim("t-guard-echo-a")], retry: { ...fastRetry, maxAttempts: 1 } },
    "t-guard-off": { targets: [sim("t-guard-off-a")], retry: { ...fastRetry, maxAttempts: 1 } },
    "t-claude": { targets: [{ provider: "sim-anthropic", model: "t-claude" }], retry: fastRetry },
    // Jobs (test/integration/jobs): one upstream attempt per call, so simulator counts equal task attempts.
    ...Object.fromEntries(
      ["t-job-all", "t-job-fast", "t-job-slow", "t-job-judge", "t-job-gen", "t-job-critic", "t-job-rev", "t-job-hang", "t-job-approve", "t-job-evt",
        "t-job-plan", "t-job-worker", "t-job-synth", "t-job-held", "t-job-restart"].map((model) => [
        model,
        { targets: [sim(model)], retry: { ...fastRetry, maxAttempts: 1 } },
      ]),
    ),
    // Enrichment (test/integration/enrich): a route per scenario.
    ...ENRICH_TEST_ROUTES,
    // Tenants, limits and security (test/integration/platform).
    ...Object.fromEntries(["t-plat", "t-plat-lim", "t-plat-bud", "t-plat-job"].map((model) => [model, { targets: [sim(`${model}-a`)], retry: { ...fastRetry, maxAttempts: 1 } }])),
    // Observability (test/integration/observability): traces, logs, metrics and the audit stream.
    ...Object.fromEntries(["t-obs", "t-obs-echo", "t-obs-cache", "t-obs-job"].map((model) => [model, { targets: [sim(`${model}-a`)], retry: { ...fastRetry, maxAttempts: 1 } }])),
    "t-obs-fb": { targets: [sim("t-obs-fb-a"), sim("t-obs-fb-b")], retry: { ...fastRetry, maxAttempts: 1 } },
  },
  // t-plat-bud-a is priced high, so a few calls use up tenant it-budget's daily budget.
  prices: { ...DEV_CONFIG_INPUT.prices, "t-plat-bud-a": { input: 1_000, output: 1_000 }, "t-obs-a": { input: 1, output: 2 }, "t-obs-echo-a": { input: 1, output: 2 } },
  // Fresh tenants of test/integration/platform (keys in global-setup.ts); every other tenant has no limits.
  tenants: {
    overrides: {
      "it-limits": { requests: { limit: 3, windowSeconds: 2 } },
      "it-budget": { budget: { dailyUsd: 0.05 } },
      "it-budget-job": { budget: { dailyUsd: 0.05 } },
      "it-budget-stream": { budget: { dailyUsd: 0.05 }, tokens: { limit: 1_000_000, windowSeconds: 3_600 } },
      "it-budget-left": { budget: { dailyUsd: 0.05 }, tokens: { limit: 1_000_000, windowSeconds: 3_600 } },
    },
  },
  enrichment: ENRICH_TEST_CONFIG,
  // The cache is off for every route but t-cache, so the gateway tests see every upstream call. These
  // tests assert what is cached and hit, not the lookup's time budget (the fail-open tests run the
  // default budget on a stack of their own), so a busy test machine gets 1 s per lookup.
  cache: { enabled: false, models: { "t-cache": { enabled: true }, "t-obs-cache": { enabled: true }, "t-slow-cache": { enabled: true } }, budgets: { lookupMs: 1_000 } },
  guardrails: {
    policies: {
      strict: { denyList: ["project-zeus"], topics: { weapons: ["bioweapon"] } },
      // Lets the input through untouched so the simulator echoes it, to exercise the output side.
      "echo-output": { input: { pii: { action: "allow" }, secret: { action: "allow" } } },
      // No checks at all: the pipeline does not call the guardrail Worker.
      off: { enabled: false },
    },
    assignments: [
      { model: "t-guard", policy: "strict" },
      { model: "t-guard-echo", policy: "echo-output" },
      { model: "t-guard-off", policy: "off" },
      { model: "t-obs", policy: "strict" },
      { model: "t-obs-echo", policy: "echo-output" },
    ],
  },
};
