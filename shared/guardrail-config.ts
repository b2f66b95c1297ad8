// Guardrail policies (PLATFORM_CONFIG.guardrails): per finding type an action per direction, with
// thresholds; named policies assigned to tenants and models; review-queue lifetimes. `{}` is a
// complete config: the built-in "default" policy for everyone. Owned by the guardrail Worker.
import { z } from "zod";

export const GuardrailActionSchema = z.enum(["allow", "redact", "block", "escalate"]);
export type GuardrailAction = z.infer<typeof GuardrailActionSchema>;

/** How "redact" replaces a value: `***-**-****`, `[US_SSN]`, `[US_SSN:1a2b3c4d]`, or nothing at all. */
export const RedactionModeSchema = z.enum(["mask", "placeholder", "hash", "remove"]);
export type RedactionMode = z.infer<typeof RedactionModeSchema>;

export const GuardrailRuleSchema = z.object({
  action: GuardrailActionSchema,
  /** Findings scoring below this are neither reported nor acted on. */
  minScore: z.number().min(0).max(1).default(0.5),
  mode: RedactionModeSchema.default("placeholder"),
});
export type GuardrailRule = z.infer<typeof GuardrailRuleSchema>;

/**
 * Rules of one direction keyed by finding type ("EMAIL_ADDRESS") or by check ("pii", "secret",
 * "injection", "policy", "schema", "confidence"); a type's rule wins over its check's. A finding
 * with neither is reported and allowed.
 */
export const GuardrailRulesSchema = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "must be a finding type or a check name"), GuardrailRuleSchema);
export type GuardrailRules = z.infer<typeof GuardrailRulesSchema>;

const rule = (action: GuardrailAction, minScore = 0.5, mode: RedactionMode = "placeholder"): GuardrailRule => ({ action, minScore, mode });

/**
 * The built-in rules a policy's own rules are layered over (key by key). Input: PII and secrets are
 * redacted before the provider sees them, likely injections are held for review, deny-list terms
 * and topics block. Output: PII is redacted, a secret blocks the answer, markdown image links that
 * could carry data out are removed, profanity is masked, schema violations block and low confidence
 * escalates. URLs are reported but allowed in both directions (prompts about links are normal).
 */
export const DEFAULT_INPUT_RULES: GuardrailRules = {
  pii: rule("redact"),
  URL: rule("allow"),
  secret: rule("redact"),
  injection: rule("escalate", 0.8),
  INVISIBLE_UNICODE: rule("redact", 0.5, "remove"),
  MARKDOWN_EXFILTRATION: rule("allow"),
  policy: rule("block"),
  PROFANITY: rule("allow"),
  COMPETITOR: rule("allow"),
};
export const DEFAULT_OUTPUT_RULES: GuardrailRules = {
  pii: rule("redact"),
  URL: rule("allow"),
  secret: rule("block"),
  injection: rule("allow", 0.8),
  INVISIBLE_UNICODE: rule("redact", 0.5, "remove"),
  MARKDOWN_EXFILTRATION: rule("redact", 0.5, "remove"),
  policy: rule("block"),
  PROFANITY: rule("redact", 0.5, "mask"),
  COMPETITOR: rule("redact"),
  schema: rule("block", 0),
  confidence: rule("escalate", 0),
};

export const GuardrailPolicySchema = z
  .object({
    /**
     * false: no checks at all for the tenants and models this policy is assigned to — the pipeline
     * does not call the guardrail Worker for them (x-gateway-guardrail: "off"), and a direct check passes.
     */
    enabled: z.boolean().default(true),
    /** Layered over DEFAULT_INPUT_RULES key by key; set a key's action to "allow" to switch it off. */
    input: GuardrailRulesSchema.default({}),
    output: GuardrailRulesSchema.default({}),
    /** Terms that must not appear (whole words, case-insensitive): finding DENY_LIST. */
    denyList: z.array(z.string().trim().min(1)).default([]),
    /** Forbidden topics: name → keywords (whole words, case-insensitive): finding TOPIC. */
    topics: z.record(z.string(), z.array(z.string().trim().min(1)).min(1)).default({}),
    /** Competitor names (whole words, case-insensitive): finding COMPETITOR. */
    competitors: z.array(z.string().trim().min(1)).default([]),
    /** Profanity from a maintained English word list: finding PROFANITY. */
    profanity: z.boolean().default(true),
    /** The confidence gate: a caller- or critic-supplied confidence below this is LOW_CONFIDENCE. */
    minConfidence: z.number().min(0).max(1).default(0.5),
    /** A JSON Schema every output's content must match (besides the request's response_format). */
    outputSchema: z.record(z.string(), z.unknown()).optional(),
    /** Regions whose national phone formats count as valid without a "+" prefix (ISO 3166 alpha-2). */
    phoneRegions: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1).default(["US", "GB"]),
    /** Mixed into "hash" redactions so short values (an SSN) cannot be found by hashing guesses. */
    hashSalt: z.string().default(""),
  })
  .transform((policy) => ({
    ...policy,
    input: { ...DEFAULT_INPUT_RULES, ...policy.input },
    output: { ...DEFAULT_OUTPUT_RULES, ...policy.output },
  }));
export type GuardrailPolicy = z.infer<typeof GuardrailPolicySchema>;

export const PolicyAssignmentSchema = z.object({
  /** Both given → both must match; the first matching assignment wins. */
  tenant: z.string().min(1).optional(),
  /** The request's model (alias) — "per route". */
  model: z.string().min(1).optional(),
  policy: z.string().min(1),
});

export const ReviewQueueConfigSchema = z.object({
  /** A pending review not decided within this time reads as "expired" and cannot be approved. */
  pendingTtlSeconds: z.number().int().min(60).default(86_400),
  /** Reviews (and unused approvals) are deleted after this time. */
  retentionSeconds: z.number().int().min(60).default(604_800),
});

export const GuardrailConfigSchema = z
  .object({
    /** Named policies; "default" is built in (all defaults) unless defined here. */
    policies: z.record(z.string().min(1), GuardrailPolicySchema).default({}),
    /** The policy of a tenant/model without a matching assignment. */
    defaultPolicy: z.string().min(1).default("default"),
    assignments: z.array(PolicyAssignmentSchema).default([]),
    review: ReviewQueueConfigSchema.prefault({}),
  })
  .transform((config) => {
    const policies: Record<string, GuardrailPolicy> = { default: GuardrailPolicySchema.parse({}), ...config.policies };
    return { ...config, policies };
  })
  .superRefine((config, ctx) => {
    if (!(config.defaultPolicy in config.policies)) {
      ctx.addIssue({ code: "custom", path: ["defaultPolicy"], message: `unknown policy "${config.defaultPolicy}"` });
    }
    config.assignments.forEach((assignment, index) => {
      if (!(assignment.policy in config.policies)) {
        ctx.addIssue({ code: "custom", path: ["assignments", index, "policy"], message: `unknown policy "${assignment.policy}"` });
      }
    });
    if (config.review.retentionSeconds < config.review.pendingTtlSeconds) {
      ctx.addIssue({ code: "custom", path: ["review", "retentionSeconds"], message: "must be at least pendingTtlSeconds" });
    }
  });
export type GuardrailConfig = z.infer<typeof GuardrailConfigSchema>;

/**
 * The name of the policy that applies to a tenant's request for a model: the first assignment whose
 * tenant and model (when given) both match, else `defaultPolicy`. The guardrail Worker compiles the
 * named policy; the pipeline reads it to skip the guardrail calls of a disabled policy.
 */
export function policyNameFor(config: GuardrailConfig, target: { tenant: string; model?: string }): string {
  const assignment = config.assignments.find(
    (candidate) => (candidate.tenant === undefined || candidate.tenant === target.tenant) && (candidate.model === undefined || candidate.model === target.model),
  );
  return assignment?.policy ?? config.defaultPolicy;
}

/** True when the policy for this tenant and model runs checks (its `enabled` is not false). */
export function guardrailsEnabledFor(config: GuardrailConfig, target: { tenant: string; model: string }): boolean {
  return config.policies[policyNameFor(config, target)]?.enabled !== false;
}
