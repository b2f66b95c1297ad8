// Gateway Worker: LLM calls (providers, retry, fallback, circuit breaker, streaming, cost).
// Internal only; other Workers call it over RPC through a service binding.
import { WorkerEntrypoint } from "cloudflare:workers";
import type { GatewayRpc, RpcContext, WorkerHealth } from "@llm-edge/shared";
import { internalOnly } from "../internal";
import { gatewayHealth } from "./health";

export default class GatewayWorker extends WorkerEntrypoint<Env> implements GatewayRpc {
  override fetch(): Response {
    return internalOnly();
  }

  async health(_context: RpcContext): Promise<WorkerHealth> {
    return gatewayHealth(this.env);
  }
}
