// The enrichment part of the integration stack's PLATFORM_CONFIG: one template per scenario, each on
// simulated models of its own (one upstream attempt per call, so simulator counts equal branch calls),
// short backoffs and a short reclaim idle time so tests finish in seconds. Tenant it-queue (queue.test.ts)
// takes the queue delivery path; every other tenant keeps the streams.
import { DEFAULT_ENRICH_TEMPLATE } from "../../../shared/enrich-config";

const sim = (model: string) => ({ provider: "sim", model });
const once = { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 50 };

/** Models (and route aliases) of the enrichment tests. */
export const ENRICH_MODELS = ["t-enr-sum", "t-enr-kpi", "t-enr-dlq", "t-enr-rc", "t-enr-mal", "t-enr-evt", "t-enr-flaky", "t-enr-q-sum", "t-enr-q-kpi", "t-enr-q-dlq"] as const;

/** The tenant of the queue delivery tests (a key is made for it through the admin API). */
export const QUEUE_TENANT = "it-queue";

export const ENRICH_TEST_ROUTES = {
  ...Object.fromEntries(ENRICH_MODELS.map((model) => [model, { targets: [sim(model)], retry: once, breaker: { consecutiveFailures: 100, minRequests: 1_000 } }])),
  // The maintenance cron's half-open probe (maintenance.test.ts): trips after 2 failures, cools down in 300 ms.
  "t-enr-probe": { targets: [sim("t-enr-probe")], retry: once, breaker: { consecutiveFailures: 2, minRequests: 100, cooldownMs: 300, maxCooldownMs: 600 } },
};

const KPI_SCHEMA = {
  type: "object",
  properties: { kpis: { type: "array", minItems: 1, maxItems: 3, items: { type: "object", properties: { name: { type: "string" }, value: { type: "number" } }, required: ["name", "value"] } } },
  required: ["kpis"],
};

/** Two branches: a summary, and KPIs as JSON checked against KPI_SCHEMA. */
const summaryAndKpis = (summaryModel: string, kpiModel: string) => ({
  branches: [
    { name: "summary", model: summaryModel, instruction: "Summarise the record." },
    { name: "kpis", model: kpiModel, instruction: "Extract KPIs as JSON.", jsonSchema: KPI_SCHEMA },
  ],
  taskRetries: 0,
});

const single = (model: string) => ({ branches: [{ name: "summary", model, instruction: "Summarise the record." }], taskRetries: 0 });

export const ENRICH_TEST_CONFIG = {
  templates: {
    default: DEFAULT_ENRICH_TEMPLATE,
    "t-drain": summaryAndKpis("t-enr-sum", "t-enr-kpi"),
    "t-dlq": single("t-enr-dlq"),
    "t-reclaim": single("t-enr-rc"),
    "t-malformed": single("t-enr-mal"),
    "t-event": single("t-enr-evt"),
    "t-flaky": single("t-enr-flaky"),
    "t-queue": summaryAndKpis("t-enr-q-sum", "t-enr-q-kpi"),
    "t-queue-dlq": single("t-enr-q-dlq"),
  },
  tenants: { [QUEUE_TENANT]: { delivery: "queue" } },
  queue: { waitMs: 5_000, pollMs: 100, recheckDelaySeconds: 1 },
  events: { "invoice.created": { template: "t-event" } },
  maxAttempts: 3,
  backoff: { baseMs: 200, maxMs: 800 },
  reclaimIdleMs: 1_500,
  run: { timeBudgetMs: 10_000, subrequestBudget: 500, pageSize: 10 },
};
