// What the bridge knows about individual Redis commands: the command shape it forwards, which
// commands block (and so need a connection of their own), and which ones make no sense over a
// stateless HTTP API because they change the state of a shared connection.

export type RedisArg = string | Buffer;

export interface RedisCommand {
  /** Upper-cased command name (upper case also keeps ioredis from reshaping replies, e.g. HGETALL). */
  name: string;
  args: RedisArg[];
}

export function toRedisCommand(parts: readonly RedisArg[]): RedisCommand {
  const [first, ...args] = parts;
  const name = (Buffer.isBuffer(first) ? first.toString("utf8") : (first ?? "")).toUpperCase();
  return { name, args };
}

const ALWAYS_BLOCKING = new Set([
  "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF",
]);
const BLOCKING_WITH_BLOCK_OPTION = new Set(["XREAD", "XREADGROUP"]);

/** True when the command may block its connection (BLPOP, XREAD BLOCK, XREADGROUP BLOCK, …). */
export function isBlockingCommand(command: RedisCommand): boolean {
  if (ALWAYS_BLOCKING.has(command.name)) return true;
  if (!BLOCKING_WITH_BLOCK_OPTION.has(command.name)) return false;
  return command.args.some((arg) => argText(arg).toUpperCase() === "BLOCK");
}

// Connection-state commands: over REST each request may land on any connection, so these would
// either be meaningless or corrupt a connection that other requests share.
const CONNECTION_STATE_COMMANDS = new Set([
  "AUTH", "HELLO", "SELECT", "RESET", "QUIT", "MONITOR", "MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH",
  "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE",
]);

/** The error to return instead of running the command, or undefined when it may run. */
export function rejectionFor(command: RedisCommand): string | undefined {
  if (command.name === "") return "ERR empty command";
  if (CONNECTION_STATE_COMMANDS.has(command.name)) {
    return `ERR Command is not available over the REST API: '${command.name.toLowerCase()}'`;
  }
  if (command.name === "CLIENT" && argText(command.args[0]).toUpperCase() === "REPLY") {
    return "ERR Command is not available over the REST API: 'client reply'";
  }
  return undefined;
}

function argText(arg: RedisArg | undefined): string {
  if (arg === undefined) return "";
  return Buffer.isBuffer(arg) ? arg.toString("utf8") : arg;
}
