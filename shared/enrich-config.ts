// Enrichment settings (PLATFORM_CONFIG.enrichment): the job templates records are enriched with (each a
// set of branches: a summary, KPIs as JSON, risk flags as JSON, …), which template an event type
// triggers, retries with backoff before the dead-letter stream, crash reclaim, the bounds of one
// cron run, and the delivery path (Redis streams drained by the cron, or a Cloudflare Queue pushed to
// the edge's queue() handler) per deployment and per tenant. `{}` gives the defaults
// (docs/operations.md, "Enrichment").
import { z } from "zod";

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const NameSchema = z.string().regex(NAME, "lower-case letters, digits, '_' and '-', starting with a letter (at most 40)");

/** One branch of an enrichment job: a model call whose user message is the record's text. */
export const EnrichBranchSchema = z.object({
  /** The key of this branch's answer in the record's result. */
  name: NameSchema,
  /** A model alias (a route of the gateway). */
  model: z.string().min(1).max(200),
  /** The system message: what to produce from the record. */
  instruction: z.string().min(1).max(5_000),
  /** The answer must be JSON conforming to this schema (asked for with response_format json_schema, checked again on collection). */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
});
export type EnrichBranch = z.infer<typeof EnrichBranchSchema>;

/** What one record (or event) is enriched with: its branches run as one fan-out job (strategy all). */
export const EnrichTemplateSchema = z
  .object({
    branches: z.array(EnrichBranchSchema).min(1).max(10),
    /** Retries of one branch call inside a job, before the record's attempt counts as failed. */
    taskRetries: z.number().int().min(0).max(5).default(1),
    /** Wall time of one branch call. */
    taskTimeoutMs: z.number().int().min(100).max(300_000).default(60_000),
    /** Wall time of one job (one attempt of a record); a job still running then has failed. */
    deadlineMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
  })
  .superRefine((template, ctx) => {
    const seen = new Set<string>();
    template.branches.forEach((branch, index) => {
      if (seen.has(branch.name)) ctx.addIssue({ code: "custom", path: ["branches", index, "name"], message: `duplicate branch name "${branch.name}"` });
      seen.add(branch.name);
    });
  });
export type EnrichTemplate = z.infer<typeof EnrichTemplateSchema>;

/** The default template: a summary, KPIs as JSON and risk flags as JSON, all on the "default" route. */
export const DEFAULT_ENRICH_TEMPLATE: z.input<typeof EnrichTemplateSchema> = {
  branches: [
    { name: "summary", model: "default", instruction: "Summarise the record in at most three sentences." },
    {
      name: "kpis",
      model: "default",
      instruction: "Extract the key performance indicators the record states, as JSON.",
      jsonSchema: {
        type: "object",
        properties: {
          kpis: {
            type: "array",
            maxItems: 20,
            items: {
              type: "object",
              properties: { name: { type: "string", minLength: 1 }, value: { type: "number" }, unit: { type: "string" } },
              required: ["name", "value"],
            },
          },
        },
        required: ["kpis"],
      },
    },
    {
      name: "risks",
      model: "default",
      instruction: "List the risks the record reveals, as JSON flags with a category and a severity.",
      jsonSchema: {
        type: "object",
        properties: {
          flags: {
            type: "array",
            maxItems: 20,
            items: {
              type: "object",
              properties: {
                category: { type: "string", enum: ["financial", "legal", "operational", "security", "reputational", "other"] },
                severity: { type: "string", enum: ["low", "medium", "high"] },
                evidence: { type: "string" },
              },
              required: ["category", "severity"],
            },
          },
        },
        required: ["flags"],
      },
    },
  ],
};

/** Retry pacing of a record's failed attempts: the next attempt waits base·2^(n-1) (capped), with equal jitter. */
export const EnrichBackoffSchema = z.object({
  baseMs: z.number().int().min(0).max(3_600_000).default(30_000),
  maxMs: z.number().int().min(0).max(24 * 3_600_000).default(900_000),
});
export type EnrichBackoff = z.infer<typeof EnrichBackoffSchema>;

/** The bounds of one cron run: it stops taking work when either budget is spent and leaves the rest for the next run. */
export const EnrichRunSchema = z.object({
  /** Wall time of the drain (the scheduled handler has up to 15 minutes; a minute cron wants well under 60 s). */
  timeBudgetMs: z.number().int().min(100).max(900_000).default(20_000),
  /** Upstash HTTP calls plus RPC calls (the platform counts both as subrequests; 50 on the free plan, 1,000 on paid). */
  subrequestBudget: z.number().int().min(5).max(10_000).default(45),
  /** Stream entries read per XREADGROUP / XAUTOCLAIM page. */
  pageSize: z.number().int().min(1).max(500).default(25),
});
export type EnrichRun = z.infer<typeof EnrichRunSchema>;

/**
 * How records reach the consumer: "streams" — the intake stream, drained by the cron with a consumer
 * group; "queue" — a `{tenant, id}` message on the ENRICH_QUEUE Cloudflare Queue, pushed to queue().
 */
export const EnrichDeliverySchema = z.enum(["streams", "queue"]);
export type EnrichDelivery = z.infer<typeof EnrichDeliverySchema>;

/** The queue consumer's pacing: how long one delivery waits for its job before it comes back later. */
export const EnrichQueueSchema = z.object({
  /** Wall time one batch of messages waits for its jobs (the subrequest budget is run.subrequestBudget). */
  waitMs: z.number().int().min(0).max(840_000).default(20_000),
  /** Between two looks at a running job. */
  pollMs: z.number().int().min(50).max(60_000).default(1_000),
  /** A job still running when the wait is over: a fresh message comes back after this many seconds (not counted as a retry). */
  recheckDelaySeconds: z.number().int().min(0).max(43_200).default(30),
});
export type EnrichQueue = z.infer<typeof EnrichQueueSchema>;

const TenantNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");

export const EnrichmentConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The delivery path of this deployment's records (tenants may override it). */
    delivery: EnrichDeliverySchema.default("streams"),
    /** Per-tenant settings: a tenant's own delivery path. */
    tenants: z.record(TenantNameSchema, z.strictObject({ delivery: EnrichDeliverySchema })).default({}),
    queue: EnrichQueueSchema.prefault({}),
    /** Templates by name; a record names one (default "default"), an event type maps to one. */
    templates: z.record(NameSchema, EnrichTemplateSchema).prefault({ default: DEFAULT_ENRICH_TEMPLATE }),
    /** Event-driven triggers: event type → template name. Events of other types are refused (400) or dead-lettered. */
    events: z.record(z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/), z.object({ template: NameSchema })).default({}),
    /** Attempts of one record before it goes to the dead-letter stream. */
    maxAttempts: z.number().int().min(1).max(20).default(3),
    backoff: EnrichBackoffSchema.prefault({}),
    /** A pending entry idle this long belongs to a consumer that died; the cron claims it (XAUTOCLAIM). */
    reclaimIdleMs: z.number().int().min(0).max(24 * 3_600_000).default(300_000),
    run: EnrichRunSchema.prefault({}),
    /** Approximate cap of the result and dead-letter streams (XADD MAXLEN ~). */
    streamMaxLen: z.number().int().min(100).max(10_000_000).default(100_000),
    /** Seconds a record's status hash is kept after its last change. */
    recordTtlSeconds: z.number().int().min(60).max(90 * 86_400).default(7 * 86_400),
  })
  .superRefine((config, ctx) => {
    if (!("default" in config.templates)) ctx.addIssue({ code: "custom", path: ["templates"], message: 'a "default" template is required (records that name none use it)' });
    for (const [type, trigger] of Object.entries(config.events)) {
      if (!(trigger.template in config.templates)) ctx.addIssue({ code: "custom", path: ["events", type, "template"], message: `unknown template "${trigger.template}"` });
    }
  });
export type EnrichmentConfig = z.infer<typeof EnrichmentConfigSchema>;

/**
 * The delivery path of a tenant's new records: its own setting in `tenants`, else the deployment's
 * `delivery`. A record keeps the path it came in on (a switch applies to records accepted after it),
 * so flipping a tenant never strands records in flight.
 */
export function deliveryFor(config: Pick<EnrichmentConfig, "delivery" | "tenants">, tenant: string): EnrichDelivery {
  return config.tenants[tenant]?.delivery ?? config.delivery;
}
