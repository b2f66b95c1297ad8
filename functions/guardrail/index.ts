// Guardrail Worker: input and output checks (PII, secrets, injection, policy, schema), review queue.
// Internal only; other Workers call it over RPC through a service binding.
import { WorkerEntrypoint } from "cloudflare:workers";
import { checkDependency, redisFromEnv, workerHealth, type GuardrailRpc, type RpcContext, type WorkerHealth } from "@llm-edge/shared";
import { internalOnly } from "../internal";

const PROBE_TIMEOUT_MS = 1_000;

export default class GuardrailWorker extends WorkerEntrypoint<Env> implements GuardrailRpc {
  override fetch(): Response {
    return internalOnly();
  }

  /** Checks run in-process; only the review queue needs Redis, so losing it degrades, not downs. */
  async health(_context: RpcContext): Promise<WorkerHealth> {
    const reviewQueue = await checkDependency(() => redisFromEnv(this.env).ping(), PROBE_TIMEOUT_MS, "degraded");
    return workerHealth("guardrail", { reviewQueue });
  }
}
