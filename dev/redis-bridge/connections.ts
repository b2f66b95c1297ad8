// The bridge's connections to redis-server: one shared, pipelined connection for ordinary commands,
// and a small pool of exclusive connections for work that must own a connection (blocking commands,
// MULTI/EXEC). All speak RESP2 and fail fast instead of queueing while Redis is down.
import { Redis, type RedisOptions } from "ioredis";

/** Redis could not be reached (refused, dropped, not ready); the HTTP layer answers 503. */
export class RedisUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Redis is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "RedisUnavailableError";
  }
}

const MAX_IDLE_EXCLUSIVE = 8;
const MAX_RECONNECT_DELAY_MS = 1_000;

// RESP2 keeps replies in the flat shapes Upstash returns (HGETALL pairs, scores as strings). Without
// an offline queue and resends, a command sent while Redis is down fails at once and is never run twice.
const failFastOptions: RedisOptions = {
  protocol: 2,
  lazyConnect: true,
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2_000,
};

export class RedisConnections {
  readonly shared: Redis;
  private readonly idle: Redis[] = [];
  private readonly busy = new Set<Redis>();

  /** `connectionName` is what CLIENT LIST shows for every connection of this bridge. */
  constructor(
    private readonly redisUrl: string,
    private readonly connectionName: string,
  ) {
    this.shared = new Redis(redisUrl, {
      ...failFastOptions,
      connectionName,
      retryStrategy: (attempt) => Math.min(attempt * 50, MAX_RECONNECT_DELAY_MS),
    });
    this.shared.on("error", ignoreConnectionError);
  }

  /** First connection attempt; resolves either way (the shared connection keeps retrying). */
  async connect(): Promise<void> {
    await this.shared.connect().catch(ignoreConnectionError);
  }

  /** A connection nobody else uses until `release` or `discard`. */
  async acquireExclusive(): Promise<Redis> {
    let connection = this.idle.pop();
    while (connection && connection.status !== "ready") {
      connection.disconnect();
      connection = this.idle.pop();
    }
    connection ??= await this.openExclusive();
    this.busy.add(connection);
    return connection;
  }

  /** Returns a connection in a clean state to the pool. */
  release(connection: Redis): void {
    this.busy.delete(connection);
    if (connection.status === "ready" && this.idle.length < MAX_IDLE_EXCLUSIVE) this.idle.push(connection);
    else connection.disconnect();
  }

  /** Closes a connection whose state is unknown (aborted blocking call, failed transaction). */
  discard(connection: Redis): void {
    this.busy.delete(connection);
    connection.disconnect();
  }

  async close(): Promise<void> {
    for (const connection of [...this.idle, ...this.busy]) connection.disconnect();
    this.idle.length = 0;
    this.busy.clear();
    this.shared.disconnect();
  }

  private async openExclusive(): Promise<Redis> {
    const connection = new Redis(this.redisUrl, {
      ...failFastOptions,
      connectionName: this.connectionName,
      retryStrategy: () => null,
    });
    connection.on("error", ignoreConnectionError);
    try {
      await connection.connect();
      return connection;
    } catch (error) {
      connection.disconnect();
      throw new RedisUnavailableError(error);
    }
  }
}

// Connection errors surface on the commands that hit them (as 503s); the event itself is expected
// while Redis is down and would only repeat on every reconnect attempt.
function ignoreConnectionError(): void {}
