// Shared setup for the cache tests: the real stand-ins (Redis bridge in front of redis-server, the
// local Upstash Vector server with its USE-lite embedding) on free ports, a random key prefix and
// vector namespace prefix per run, a movable clock, request/answer builders, and cleanup of only
// this run's keys.
import { randomBytes } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { CacheConfigSchema, createLogger, redisFromEnv, vectorFromEnv, type ChatCompletion, type ChatCompletionRequest, type RpcContext } from "@llm-edge/shared";
import { Redis as DirectRedis } from "ioredis";
import { expect } from "vitest";
import type { z } from "zod";
import { embed } from "../../../dev/embedder";
import { startRedisBridge, type RedisBridge } from "../../../dev/redis-bridge/server";
import { startVectorServer, type VectorServer } from "../../../dev/vector-server/server";
import type { CacheDeps } from "../../../functions/cache/deps";
import { createEmbedder, type EmbeddingBindings } from "../../../functions/cache/embedding";
import { store } from "../../../functions/cache/store";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const CONTEXT: RpcContext = { traceparent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01" };

export type ConfigInput = z.input<typeof CacheConfigSchema>;

export interface CacheHarness {
  bridge: RedisBridge;
  vectorServer: VectorServer;
  redisToken: string;
  vectorToken: string;
  keyPrefix: string;
  namespacePrefix: string;
  /** The clock the cache sees (epoch ms); tests move it with `advance`. */
  now(): number;
  advance(ms: number): void;
  /** Dependencies against the stand-ins; URLs can point elsewhere (a closed or hung server). */
  deps(options?: { config?: ConfigInput; redisUrl?: string; vectorUrl?: string; bindings?: EmbeddingBindings }): CacheDeps;
  /** ioredis straight to redis-server, for checks that must not go through the cache. */
  direct: DirectRedis;
  close(): Promise<void>;
}

/** Starts the stand-ins and loads the embedding model (the first embedding takes seconds). */
export async function startCacheHarness(): Promise<CacheHarness> {
  const runId = randomBytes(5).toString("hex");
  const redisToken = `redis-${runId}`;
  const vectorToken = `vector-${runId}`;
  const keyPrefix = `test:cache:${runId}:`;
  const namespacePrefix = `test-cache-${runId}-`;
  const [bridge, vectorServer] = await Promise.all([
    startRedisBridge({ port: 0, token: redisToken, redisUrl: REDIS_URL, connectionName: `cache-test-${runId}` }),
    startVectorServer({ port: 0, token: vectorToken }),
    embed(["warm up"]),
  ]);
  const direct = new DirectRedis(REDIS_URL, { lazyConnect: true });
  await direct.connect();
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    bridge,
    vectorServer,
    redisToken,
    vectorToken,
    keyPrefix,
    namespacePrefix,
    now,
    advance: (ms) => {
      offset += ms;
    },
    deps(options = {}) {
      // A roomy lookup budget unless a test sets one: the stand-ins embed on this test's CPU, and only
      // the fail-open tests are about the budget.
      const config = CacheConfigSchema.parse({ namespacePrefix, budgets: { lookupMs: 2_000 }, ...options.config });
      return {
        config,
        redis: redisFromEnv({ UPSTASH_REDIS_REST_URL: options.redisUrl ?? bridge.url, UPSTASH_REDIS_REST_TOKEN: redisToken }),
        vector: vectorFromEnv({ UPSTASH_VECTOR_REST_URL: options.vectorUrl ?? vectorServer.url, UPSTASH_VECTOR_REST_TOKEN: vectorToken }),
        embedder: createEmbedder(config.embedding, options.bindings ?? {}),
        keyPrefix,
        now,
        log: createLogger({ worker: "cache-test" }, () => undefined),
      };
    },
    direct,
    async close() {
      for (let cursor = "0"; ; ) {
        const [next, keys] = await direct.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
        if (keys.length > 0) await direct.del(...keys);
        cursor = next;
        if (cursor === "0") break;
      }
      direct.disconnect();
      await Promise.all([bridge.close(), vectorServer.close()]);
    },
  };
}

/** A chat request: the last user message, optionally a system prompt, earlier turns and parameters. */
export function chatRequest(question: string, options: { system?: string; history?: ChatCompletionRequest["messages"]; model?: string; params?: Partial<ChatCompletionRequest> } = {}): ChatCompletionRequest {
  return {
    model: options.model ?? "default",
    messages: [...(options.system ? [{ role: "system" as const, content: options.system }] : []), ...(options.history ?? []), { role: "user", content: question }],
    ...options.params,
  };
}

/** A complete answer as the gateway returns it. */
/** A tenant no other test uses. */
export const newTenant = () => `tenant-${randomBytes(4).toString("hex")}`;

/** Stores `content` as the answer to `request` and checks that it was stored. */
export async function remember(deps: CacheDeps, tenant: string, request: ChatCompletionRequest, content: string): Promise<void> {
  expect(await store(deps, { tenant, request, completion: answer(content), context: CONTEXT })).toEqual({ stored: true });
}

export function answer(content: string, overrides: Partial<ChatCompletion["choices"][number]> = {}): ChatCompletion {
  return {
    id: `chatcmpl-${randomBytes(4).toString("hex")}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: "sim-primary",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop", ...overrides }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

/** A loopback server that accepts connections and never answers (a hung dependency). */
export async function startHungServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback HTTP proxy in front of a stand-in that records the paths it was asked for, in order. */
export async function startRecordingProxy(target: string): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = createHttpServer((request, response) => {
    paths.push(request.url ?? "");
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[0] !== "host" && entry[0] !== "content-length"));
      fetch(`${target}${request.url ?? ""}`, { method: request.method ?? "POST", headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined })
        .then(async (upstream) => {
          response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
          response.end(Buffer.from(await upstream.arrayBuffer()));
        })
        .catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
