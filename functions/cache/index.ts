// Cache Worker: the semantic cache behind the CacheRpc contract (lookup, store, invalidate, stats,
// maintenance, health). Internal only. The work is in the modules beside it; this class builds
// their dependencies from env and hands background work to ctx.waitUntil.
import { WorkerEntrypoint } from "cloudflare:workers";
import {
  checkDependency,
  createLogger,
  loggedCall,
  logLevelOf,
  rpcLogger,
  type Logger,
  redisFromEnv,
  vectorFromEnv,
  workerHealth,
  type CacheInvalidateRequest,
  type CacheLookupResult,
  type CacheRpc,
  type CacheStats,
  type RpcContext,
  type WorkerHealth,
} from "@llm-edge/shared";
import { internalOnly } from "../internal";
import { cacheConfig } from "./config";
import type { CacheDeps } from "./deps";
import { createEmbedder, type GatewayEmbeddingsBinding, type WorkersAiBinding } from "./embedding";
import { invalidate } from "./invalidate";
import { tenantId, tenantKeys } from "./keys";
import { lookup, type LookupInput } from "./lookup";
import { removeExpiredVectors } from "./maintenance";
import { bypassReason } from "./skip";
import { readStats } from "./stats";
import { store, type StoreInput, type StoreOutcome } from "./store";

const PROBE_TIMEOUT_MS = 1_000;
const rootLogger = createLogger({ worker: "cache" });

type Unavailable = { ok: false; reason: string };

export default class CacheWorker extends WorkerEntrypoint<Env> implements CacheRpc {
  override fetch(): Response {
    return internalOnly();
  }

  /** Dependencies for one call, or why the cache cannot run (config invalid, Upstash not configured). */
  private deps(log: Logger): ({ ok: true } & CacheDeps) | Unavailable {
    const config = cacheConfig(this.env);
    if (!config) return { ok: false, reason: "invalid_config" };
    try {
      return {
        ok: true,
        config,
        redis: redisFromEnv(this.env),
        vector: vectorFromEnv(this.env),
        embedder: createEmbedder(config.embedding, {
          AI: Reflect.get(this.env, "AI") as WorkersAiBinding | undefined,
          GATEWAY: this.env.GATEWAY as unknown as GatewayEmbeddingsBinding,
        }),
        keyPrefix: this.env.REDIS_KEY_PREFIX || "llm-edge:",
        now: () => Date.now(),
        log,
      };
    } catch {
      return { ok: false, reason: "not_configured" };
    }
  }

  async lookup(context: RpcContext, input: Omit<LookupInput, "context">): Promise<CacheLookupResult> {
    const log = rpcLogger(rootLogger, context.traceparent, "lookup", logLevelOf(this.env.PLATFORM_CONFIG));
    return loggedCall(log, async () => {
      // With the cache off for this alias, answer before any client is built (and count nothing).
      const config = cacheConfig(this.env);
      if (config && bypassReason(config, input.request, input.control) === "disabled") return { status: "BYPASS" as const, reason: "disabled" };
      const deps = this.deps(log);
      if (!deps.ok) return { status: "BYPASS" as const, reason: deps.reason };
      const outcome = await lookup(deps, { ...input, context });
      this.ctx.waitUntil(outcome.background);
      return outcome.result;
    }, (result) => ({ tenant: input.tenant, model: input.request.model, status: result.status, reason: "reason" in result ? result.reason : undefined, kind: "kind" in result ? result.kind : undefined }));
  }

  async store(context: RpcContext, input: Omit<StoreInput, "context">): Promise<StoreOutcome> {
    const log = rpcLogger(rootLogger, context.traceparent, "store", logLevelOf(this.env.PLATFORM_CONFIG));
    return loggedCall(log, async () => {
      const config = cacheConfig(this.env);
      if (config && bypassReason(config, input.request) === "disabled") return { stored: false, reason: "disabled" };
      const deps = this.deps(log);
      if (!deps.ok) return { stored: false, reason: deps.reason };
      return store(deps, { ...input, context });
    }, (outcome) => ({ tenant: input.tenant, model: input.request.model, ...outcome }));
  }

  async invalidate(context: RpcContext, input: { tenant: string } & CacheInvalidateRequest): Promise<{ deleted: number; reason?: string }> {
    const log = rpcLogger(rootLogger, context.traceparent, "invalidate", logLevelOf(this.env.PLATFORM_CONFIG));
    return loggedCall(log, async () => {
      const deps = this.deps(log);
      if (!deps.ok) return { deleted: 0, reason: deps.reason };
      return invalidate(deps, { ...input, context });
    }, (result) => ({ tenant: input.tenant, ...result }));
  }

  async stats(context: RpcContext, input: { tenant: string }): Promise<CacheStats> {
    const log = rpcLogger(rootLogger, context.traceparent, "stats", logLevelOf(this.env.PLATFORM_CONFIG));
    return loggedCall(log, async () => {
      const deps = this.deps(log);
      if (!deps.ok) return { hits: 0, exactHits: 0, semanticHits: 0, misses: 0, bypasses: 0, stores: 0, failOpen: 0, rejectedByVerifier: 0, reason: deps.reason };
      return readStats(deps, tenantKeys(deps.keyPrefix, deps.config.namespacePrefix, await tenantId(input.tenant)));
    }, () => ({ tenant: input.tenant }));
  }

  async maintenance(context: RpcContext): Promise<{ expiredRemoved: number; reason?: string }> {
    const log = rpcLogger(rootLogger, context.traceparent, "maintenance", logLevelOf(this.env.PLATFORM_CONFIG));
    return loggedCall(log, async () => {
      const deps = this.deps(log);
      if (!deps.ok) return { expiredRemoved: 0, reason: deps.reason };
      return removeExpiredVectors(deps);
    }, (result) => ({ ...result }));
  }

  /** The cache fails open, so an unreachable store makes it "degraded", not "down". */
  async health(context: RpcContext): Promise<WorkerHealth> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "health", logLevelOf(this.env.PLATFORM_CONFIG)), async () => {
      const [redis, vector] = await Promise.all([
        checkDependency(() => redisFromEnv(this.env).ping(), PROBE_TIMEOUT_MS, "degraded"),
        checkDependency(() => vectorFromEnv(this.env).info(), PROBE_TIMEOUT_MS, "degraded"),
      ]);
      return workerHealth("cache", { redis, vector });
    }, (report) => ({ status: report.status }));
  }
}
