// Local stand-in for Upstash Redis: an HTTP server speaking the Upstash REST protocol in front of a
// real redis-server, so @upstash/redis and @upstash/ratelimit run unchanged on one machine.
// `startRedisBridge` is used by tests and the stack launcher; `npx tsx dev/redis-bridge/server.ts`
// runs it alone (env: REDIS_BRIDGE_PORT, REDIS_BRIDGE_TOKEN, REDIS_URL).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { RedisConnections, RedisUnavailableError } from "./connections";
import { encodeResult, type ReplyEnvelope, type ResponseEncoding } from "./encoding";
import { CommandExecutor, type CommandOutcome } from "./executor";
import { readRestRequest, RestError, type RestRequest } from "./rest-request";

export const DEFAULT_REDIS_BRIDGE_PORT = 8791;
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65_535).default(DEFAULT_REDIS_BRIDGE_PORT),
  token: z.string().min(1, "token must not be empty"),
  redisUrl: z.string().regex(/^rediss?:\/\//, "redisUrl must start with redis:// or rediss://").default(DEFAULT_REDIS_URL),
  maxBodyBytes: z.number().int().positive().default(10 * 1024 * 1024),
  /** Name of the bridge's Redis connections in CLIENT LIST. */
  connectionName: z.string().regex(/^[!-~]+$/, "connectionName must be printable ASCII without spaces").default("upstash-rest-bridge"),
});

export type RedisBridgeOptions = z.input<typeof optionsSchema>;

export interface RedisBridge {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the bridge on 127.0.0.1 (`port: 0` picks a free port); Redis may still be down at start. */
export async function startRedisBridge(options: RedisBridgeOptions): Promise<RedisBridge> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid Redis bridge options: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;

  const connections = new RedisConnections(config.redisUrl, config.connectionName);
  await connections.connect();
  const executor = new CommandExecutor(connections);

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => sendJson(response, 500, { error: "ERR internal bridge error" }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const aborted = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) aborted.abort();
    });
    try {
      const restRequest = await readRestRequest(request, config);
      const { status, body } = await respond(executor, restRequest, aborted.signal);
      sendJson(response, status, body);
    } catch (error) {
      if (error instanceof RestError) sendJson(response, error.status, { error: error.message });
      else if (error instanceof RedisUnavailableError) sendJson(response, 503, { error: `ERR ${error.message}` });
      else throw error;
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, "127.0.0.1", () => resolve());
    });
  } catch (error) {
    await connections.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await connections.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

async function respond(
  executor: CommandExecutor,
  request: RestRequest,
  signal: AbortSignal,
): Promise<{ status: number; body: ReplyEnvelope | ReplyEnvelope[] }> {
  switch (request.kind) {
    case "command": {
      const outcome = await executor.runCommand(request.command, signal);
      return { status: outcome.ok ? 200 : 400, body: envelope(outcome, request.encoding) };
    }
    case "pipeline": {
      const outcomes = await executor.runPipeline(request.commands, signal);
      return { status: 200, body: outcomes.map((outcome) => envelope(outcome, request.encoding)) };
    }
    case "multi-exec": {
      const transaction = await executor.runTransaction(request.commands, signal);
      if (!transaction.ran) return { status: 400, body: { error: transaction.error } };
      return { status: 200, body: transaction.outcomes.map((outcome) => envelope(outcome, request.encoding)) };
    }
  }
}

function envelope(outcome: CommandOutcome, encoding: ResponseEncoding): ReplyEnvelope {
  return outcome.ok ? { result: encodeResult(outcome.reply, encoding) } : { error: outcome.error };
}

function sendJson(response: ServerResponse, status: number, body: ReplyEnvelope | ReplyEnvelope[]): void {
  if (response.headersSent || response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const bridge = await startRedisBridge({
    port: Number(process.env.REDIS_BRIDGE_PORT ?? DEFAULT_REDIS_BRIDGE_PORT),
    token: process.env.REDIS_BRIDGE_TOKEN ?? "local-dev-token",
    redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
  });
  console.log(`Upstash Redis REST bridge listening on ${bridge.url}`);
  const shutdown = () => void bridge.close().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
