// The circuit breaker policy with every default applied: what a route without a \`breaker\` section
// gets. The schema itself lives with the other route policies in shared/policies.ts.
import { BreakerPolicySchema, type BreakerPolicy } from "@llm-edge/shared";

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = BreakerPolicySchema.parse({});
