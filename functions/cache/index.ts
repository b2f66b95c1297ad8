// Cache Worker: semantic cache on Upstash Vector, payloads and TTL in Upstash Redis.
// Internal only; other Workers call it over RPC through a service binding.
import { WorkerEntrypoint } from "cloudflare:workers";
import { checkDependency, redisFromEnv, vectorFromEnv, workerHealth, type CacheRpc, type RpcContext, type WorkerHealth } from "@llm-edge/shared";
import { internalOnly } from "../internal";

const PROBE_TIMEOUT_MS = 1_000;

export default class CacheWorker extends WorkerEntrypoint<Env> implements CacheRpc {
  override fetch(): Response {
    return internalOnly();
  }

  /** The cache fails open, so an unreachable store makes it "degraded", not "down". */
  async health(_context: RpcContext): Promise<WorkerHealth> {
    const [redis, vector] = await Promise.all([
      checkDependency(() => redisFromEnv(this.env).ping(), PROBE_TIMEOUT_MS, "degraded"),
      checkDependency(() => vectorFromEnv(this.env).info(), PROBE_TIMEOUT_MS, "degraded"),
    ]);
    return workerHealth("cache", { redis, vector });
  }
}
