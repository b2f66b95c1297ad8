// Fan-out Worker: the job coordinator for fan-out/fan-in, orchestrator-worker and reflection jobs.
// Internal only; the edge calls it over RPC. Each job lives in one JobCoordinator Durable Object.
import { WorkerEntrypoint } from "cloudflare:workers";
import { checkDependency, workerHealth, type FanoutRpc, type RpcContext, type WorkerHealth } from "@llm-edge/shared";
import { internalOnly } from "../internal";

export { JobCoordinator } from "./coordinator";

const PROBE_TIMEOUT_MS = 2_000;

export default class FanoutWorker extends WorkerEntrypoint<Env> implements FanoutRpc {
  override fetch(): Response {
    return internalOnly();
  }

  /** Proves the Durable Object namespace and its SQLite storage answer. */
  async health(_context: RpcContext): Promise<WorkerHealth> {
    const coordinator = this.env.JOBS.get(this.env.JOBS.idFromName("health"));
    const storage = await checkDependency(() => coordinator.ping(), PROBE_TIMEOUT_MS, "down");
    return workerHealth("fanout", { storage });
  }
}
