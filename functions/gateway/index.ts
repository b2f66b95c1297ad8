// Gateway Worker: LLM calls (providers, retry, fallback, circuit breaker, streaming, cost).
// Internal only; the edge and the fan-out coordinator call it over RPC through a service binding.
import { WorkerEntrypoint } from "cloudflare:workers";
import {
  createLogger,
  loggedCall,
  logLevelOf,
  rpcLogger,
  signalFromProbe,
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

/** What a chat or embeddings call's log line says: the route, target, attempts, status and cost — never content. */
function callSummary(result: ChatCallResult | EmbeddingsCallResult, stream: boolean): Record<string, unknown> {
  const meta = result.meta;
  return {
    route: meta.route,
    target: meta.provider && meta.model ? `${meta.provider}/${meta.model}` : undefined,
    attempts: meta.attempts,
    fallbackIndex: meta.fallbackIndex,
    skipped: meta.skipped.length ? meta.skipped : undefined,
    status: result.ok ? 200 : result.status,
    ...(result.ok ? {} : { code: result.error.error.code }),
    costUsd: meta.costUsd,
    stream,
  };
}

export default class GatewayWorker extends WorkerEntrypoint<Env> implements GatewayRpc, GatewayMaintenanceRpc {
  override fetch(): Response {
    return internalOnly();
  }

  private deps(context: RpcContext, rpc: string): GatewayDeps {
    return {
      env: this.env as unknown as GatewayDeps["env"],
      bindings: { AI: Reflect.get(this.env, "AI") as Ai | undefined },
      breakers: breakerRegistry(this.env),
      log: rpcLogger(rootLogger, context.traceparent, rpc, logLevelOf(this.env.PLATFORM_CONFIG)),
      waitUntil: (work) => this.ctx.waitUntil(work),
    };
  }

  async chat(context: RpcContext, input: ChatCallInput): Promise<ChatCallResult> {
    const cancelled = signalFromProbe(input.cancelled);
    const deps = { ...this.deps(context, "chat"), ...(cancelled ? { cancelled } : {}) };
    const result = await loggedCall(deps.log, () => executeChat(deps, input), (done) => callSummary(done, input.request.stream === true));
    this.ctx.waitUntil(deps.breakers.sync());
    return result;
  }

  async embeddings(context: RpcContext, input: { request: EmbeddingsRequest; tenant: string }): Promise<EmbeddingsCallResult> {
    const deps = this.deps(context, "embeddings");
    const result = await loggedCall(deps.log, () => executeEmbeddings(deps, input.request), (done) => callSummary(done, false));
    this.ctx.waitUntil(deps.breakers.sync());
    return result;
  }

  async models(context: RpcContext): Promise<ModelList> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "models", logLevelOf(this.env.PLATFORM_CONFIG)), () => {
      const config = gatewayConfig(this.env);
      return { object: "list" as const, data: Object.keys(config.routes).map((id) => ({ id, object: "model" as const, created: 0, owned_by: "llm-edge" })) };
    });
  }

  /** The edge's maintenance cron: one half-open probe per target whose breaker cooldown is over (breaker-probe.ts). */
  async probeBreakers(context: RpcContext): Promise<BreakerProbeReport> {
    const deps = this.deps(context, "probeBreakers");
    const report = await probeOpenBreakers(deps);
    this.ctx.waitUntil(deps.breakers.sync());
    return report;
  }

  async health(context: RpcContext): Promise<WorkerHealth> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "health", logLevelOf(this.env.PLATFORM_CONFIG)), async () => {
      const breakers = breakerRegistry(this.env);
      await breakers.sync();
      return gatewayHealth(this.env, breakers.snapshots(Date.now()));
    }, (report) => ({ status: report.status }));
  }
}
