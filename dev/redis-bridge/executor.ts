// Runs parsed REST requests against Redis: a single command, a pipeline (in order, not atomic) or a
// transaction (MULTI … EXEC on one exclusive connection, so it is atomic). Blocking commands always
// run on an exclusive connection so they never hold up other clients; an aborted request closes it.
import type { Redis } from "ioredis";
import { isBlockingCommand, rejectionFor, type RedisCommand } from "./commands";
import { RedisUnavailableError, type RedisConnections } from "./connections";
import { ScriptCompatibility, type PreparedCommand } from "./scripts";

export type CommandOutcome = { ok: true; reply: unknown } | { ok: false; error: string };

/** A transaction either ran (one outcome per command) or was discarded as a whole. */
export type TransactionOutcome = { ran: true; outcomes: CommandOutcome[] } | { ran: false; error: string };

export class CommandExecutor {
  private readonly scripts = new ScriptCompatibility();

  constructor(private readonly connections: RedisConnections) {}

  async runCommand(command: RedisCommand, signal: AbortSignal): Promise<CommandOutcome> {
    const [outcome] = await this.runPipeline([command], signal);
    if (!outcome) throw new Error("pipeline of one command returned no outcome");
    return outcome;
  }

  /** Runs commands in order on one connection; each gets its own outcome (non-atomic). */
  async runPipeline(commands: RedisCommand[], signal: AbortSignal): Promise<CommandOutcome[]> {
    const send = (connection: Redis): Promise<CommandOutcome[]> =>
      Promise.all(
        commands.map((command) => {
          const rejection = rejectionFor(command);
          if (rejection !== undefined) return { ok: false as const, error: rejection };
          const prepared = this.scripts.prepare(command);
          return sendCommand(connection, prepared.command).then((outcome) => mapOutcome(outcome, prepared));
        }),
      );
    if (!commands.some(isBlockingCommand)) return send(this.connections.shared);
    return this.withExclusiveConnection(signal, send);
  }

  /** MULTI, the queued commands and EXEC, written together on one exclusive connection. */
  async runTransaction(commands: RedisCommand[], signal: AbortSignal): Promise<TransactionOutcome> {
    for (const command of commands) {
      const rejection = rejectionFor(command);
      if (rejection !== undefined) return { ran: false, error: `EXECABORT Transaction discarded: ${rejection}` };
    }
    return this.withExclusiveConnection(signal, async (connection) => {
      const prepared = commands.map((command) => this.scripts.prepare(command));
      const begin = sendCommand(connection, { name: "MULTI", args: [] });
      const queued = prepared.map(({ command }) => sendCommand(connection, command));
      const exec = sendCommand(connection, { name: "EXEC", args: [] });
      const [, queuedOutcomes, execOutcome] = await Promise.all([begin, Promise.all(queued), exec]);
      if (!execOutcome.ok) {
        const firstQueueError = queuedOutcomes.find((outcome) => !outcome.ok);
        const reason = firstQueueError && !firstQueueError.ok ? firstQueueError.error : execOutcome.error;
        return { ran: false, error: `EXECABORT Transaction discarded: ${reason}` };
      }
      if (!Array.isArray(execOutcome.reply)) return { ran: false, error: "EXECABORT Transaction discarded" };
      const outcomes = execOutcome.reply.map((reply: unknown, index) => {
        const outcome = toOutcome(reply);
        const preparation = prepared[index];
        return preparation ? mapOutcome(outcome, preparation) : outcome;
      });
      return { ran: true, outcomes };
    });
  }

  private async withExclusiveConnection<T>(signal: AbortSignal, work: (connection: Redis) => Promise<T>): Promise<T> {
    const connection = await this.connections.acquireExclusive();
    // A blocked call cannot be cancelled in Redis except by closing its connection.
    const abandon = () => this.connections.discard(connection);
    signal.addEventListener("abort", abandon, { once: true });
    try {
      const result = await work(connection);
      signal.removeEventListener("abort", abandon);
      if (signal.aborted) this.connections.discard(connection);
      else this.connections.release(connection);
      return result;
    } catch (error) {
      signal.removeEventListener("abort", abandon);
      this.connections.discard(connection);
      throw error;
    }
  }
}

/** Sends one command; Redis error replies become outcomes, connection failures throw. */
async function sendCommand(connection: Redis, command: RedisCommand): Promise<CommandOutcome> {
  try {
    return { ok: true, reply: await connection.callBuffer(command.name, ...command.args) };
  } catch (error) {
    if (isRedisErrorReply(error)) return { ok: false, error: error.message };
    throw new RedisUnavailableError(error);
  }
}

function mapOutcome(outcome: CommandOutcome, prepared: PreparedCommand): CommandOutcome {
  return outcome.ok ? { ok: true, reply: prepared.mapReply(outcome.reply) } : outcome;
}

function toOutcome(reply: unknown): CommandOutcome {
  return isRedisErrorReply(reply) ? { ok: false, error: reply.message } : { ok: true, reply };
}

function isRedisErrorReply(value: unknown): value is Error {
  return value instanceof Error && value.name === "ReplyError";
}
