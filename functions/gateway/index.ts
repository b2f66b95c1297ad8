// Gateway Worker: LLM calls (providers, retry, fallback, circuit breaker, streaming, cost).
// Internal only; the edge and the fan-out coordinator call it over RPC through a service binding.
import { WorkerEntrypoint } from "cloudflare:workers";
import {
  createLogger,
  parseTraceparent,
  type BreakerProbeReport,
  type ChatCallInput,
  type ChatCallResult,
  type EmbeddingsCallResult,
  type EmbeddingsRequest,
  type GatewayMaintenanceRpc,
  type GatewayRpc,
  type ModelList,
  type RpcContext,
  type WorkerHealth,
} from "@llm-edge/shared";
import { internalOnly } from "../internal";
import { probeOpenBreakers } from "./breaker-probe";
import { breakerRegistry } from "./breakers";
import { executeChat, type GatewayDeps } from "./chat";
import { gatewayConfig } from "./config";
import { executeEmbeddings } from "./embeddings";
import { gatewayHealth } from "./health";

const rootLogger = createLogger({ worker: "gateway" });

export default class GatewayWorker extends WorkerEntrypoint<Env> implements GatewayRpc, GatewayMaintenanceRpc {
  override fetch(): Response {
    return internalOnly();
  }

  private deps(context: RpcContext): GatewayDeps {
    const traceId = parseTraceparent(context.traceparent)?.traceId;
    return {
      env: this.env as unknown as GatewayDeps["env"],
      bindings: { AI: Reflect.get(this.env, "AI") as Ai | undefined },
      breakers: breakerRegistry(this.env),
      log: rootLogger.with({ traceId }),
      waitUntil: (work) => this.ctx.waitUntil(work),
    };
  }

  async chat(context: RpcContext, input: ChatCallInput): Promise<ChatCallResult> {
    const deps = this.deps(context);
    const result = await executeChat(deps, input);
    this.ctx.waitUntil(deps.breakers.sync());
    return result;
  }

  async embeddings(context: RpcContext, input: { request: EmbeddingsRequest; tenant: string }): Promise<EmbeddingsCallResult> {
    const deps = this.deps(context);
    const result = await executeEmbeddings(deps, input.request);
    this.ctx.waitUntil(deps.breakers.sync());
    return result;
  }

  async models(_context: RpcContext): Promise<ModelList> {
    const config = gatewayConfig(this.env);
    return { object: "list", data: Object.keys(config.routes).map((id) => ({ id, object: "model", created: 0, owned_by: "llm-edge" })) };
  }

  /** The edge's maintenance cron: one half-open probe per target whose breaker cooldown is over (breaker-probe.ts). */
  async probeBreakers(context: RpcContext): Promise<BreakerProbeReport> {
    const deps = this.deps(context);
    const report = await probeOpenBreakers(deps);
    this.ctx.waitUntil(deps.breakers.sync());
    return report;
  }

  async health(_context: RpcContext): Promise<WorkerHealth> {
    const breakers = breakerRegistry(this.env);
    await breakers.sync();
    return gatewayHealth(this.env, breakers.snapshots(Date.now()));
  }
}
