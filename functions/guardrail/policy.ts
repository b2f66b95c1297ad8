// Which policy applies (an explicit name, else the first matching tenant/model assignment, else the
// default) and its compiled form: rule lookup per direction, word-list matchers and scan options,
// built once per policy object and reused across calls.
import { GatewayError, policyNameFor, type Direction, type Finding, type GuardrailConfig, type GuardrailPolicy, type GuardrailRule, type GuardrailRules } from "@llm-edge/shared";
import { compilePolicyMatchers, type PolicyMatchers } from "./policy-checks";
import type { ScanOptions } from "./recognizers/types";

export interface CompiledPolicy {
  name: string;
  policy: GuardrailPolicy;
  matchers: PolicyMatchers;
  scanOptions: ScanOptions;
}

const compiledByPolicy = new WeakMap<GuardrailPolicy, CompiledPolicy>();

function compile(name: string, policy: GuardrailPolicy): CompiledPolicy {
  let compiled = compiledByPolicy.get(policy);
  if (!compiled) {
    compiled = { name, policy, matchers: compilePolicyMatchers(policy), scanOptions: { phoneRegions: policy.phoneRegions } };
    compiledByPolicy.set(policy, compiled);
  }
  return compiled;
}

/**
 * The policy for a call. An explicit `name` must exist (else a 400 `unknown_policy`); otherwise the
 * first assignment whose tenant and model (when given) both match wins, then `defaultPolicy`.
 */
export function resolvePolicy(config: GuardrailConfig, target: { tenant: string; model?: string; name?: string }): CompiledPolicy {
  const name = target.name ?? policyNameFor(config, target);
  const policy = Object.hasOwn(config.policies, name) ? config.policies[name] : undefined;
  if (!policy) {
    throw new GatewayError(`Unknown guardrail policy "${name}".`, { type: "invalid_request_error", code: "unknown_policy", param: "policy" });
  }
  return compile(name, policy);
}

const ALLOW: GuardrailRule = { action: "allow", minScore: 0.5, mode: "placeholder" };

/** The rule for a finding: its type's rule, else its check's, else report-and-allow at 0.5. */
export function ruleFor(rules: GuardrailRules, finding: Pick<Finding, "type" | "check">): GuardrailRule {
  return (Object.hasOwn(rules, finding.type) ? rules[finding.type] : undefined) ?? (Object.hasOwn(rules, finding.check) ? rules[finding.check] : undefined) ?? ALLOW;
}

/** The rules of one direction. */
export function rulesOf(compiled: CompiledPolicy, direction: Direction): GuardrailRules {
  return direction === "input" ? compiled.policy.input : compiled.policy.output;
}
