// JSON log lines: one object per line with level, message, worker and trace id. Values under
// secret-looking keys are masked and bearer tokens / provider keys inside strings are redacted, so a
// careless log call cannot leak a credential. Message content is never logged: call sites log
// lengths, verdicts and finding types, never the text itself.
import { parseTraceparent, startSpan } from "./trace";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

/** Key names whose values are credentials ("access_token", "x-api-key"), but not counters like "prompt_tokens". */
const SECRET_KEY = /(authorization|api[-_]?key|secret|password|cookie|(^|[-_])token$)/i;
const SECRET_VALUE = /\b(Bearer\s+[A-Za-z0-9._~+/=-]{6,}|sk-[A-Za-z0-9_-]{6,}|sk-ant-[A-Za-z0-9_-]{6,})/g;

function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(SECRET_VALUE, "[REDACTED]");
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, SECRET_KEY.test(key) ? "[REDACTED]" : redact(item, depth + 1)]),
  );
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  with(fields: LogFields): Logger;
  /** The same logger writing lines at `level` and above. */
  atLevel(level: LogLevel): Logger;
  /** Whether a line at `level` would be written (to skip building fields nobody reads). */
  writes(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger is one small object (no closures per instance): `with` runs on every request. */
class JsonLogger implements Logger {
  constructor(
    private readonly base: LogFields,
    private readonly sink: (line: string) => void,
    private readonly level: LogLevel,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.write("debug", message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write("info", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write("warn", message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write("error", message, fields);
  }

  with(fields: LogFields): Logger {
    return new JsonLogger({ ...this.base, ...fields }, this.sink, this.level);
  }

  atLevel(level: LogLevel): Logger {
    return level === this.level ? this : new JsonLogger(this.base, this.sink, level);
  }

  writes(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.writes(level)) return;
    const sink = this.sink;
    sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...(redact({ ...this.base, ...fields }) as LogFields) }));
  }
}

/** console.log, looked up when a line is written (not when the logger is made), so a replaced console is honoured. */
function writeToConsole(line: string): void {
  console.log(line);
}

/**
 * Creates a logger for one Worker (and, with `with`, one request). Lines at `level` and above go to
 * console.log as JSON, which Workers Logs and `wrangler tail` collect; fields are redacted before
 * printing.
 */
export function createLogger(base: LogFields, sink: (line: string) => void = writeToConsole, level: LogLevel = "info"): Logger {
  return new JsonLogger(base, sink, level);
}

/**
 * The logger of one RPC call, at `level` (PLATFORM_CONFIG's logging.level): continues the caller's
 * W3C trace (a fresh span under the caller's), so each line carries traceId, spanId, parentSpanId
 * and the RPC's name. A missing or malformed traceparent starts a new trace rather than failing the call.
 */
export function rpcLogger(root: Logger, traceparent: string | undefined, rpc: string, level: LogLevel): Logger {
  const parent = parseTraceparent(traceparent);
  const span = startSpan(parent);
  return root.atLevel(level).with(parent ? { traceId: span.traceId, spanId: span.spanId, parentSpanId: parent.spanId, rpc } : { traceId: span.traceId, spanId: span.spanId, rpc });
}

/**
 * Runs one RPC method's body and logs one line when it ends: "rpc done" (debug) with its duration
 * and the fields `summary` picks from the result (verdicts, statuses, counts — never message
 * content), or "rpc failed" (warn) with the error (redacted like every line), which is then rethrown
 * unchanged. At the default level (info) a call that succeeds writes nothing: the edge's one
 * "request" line per request carries what the pipeline's calls did, and writing a line costs a
 * Worker invocation more CPU than most calls' own work (docs/benchmarks.md).
 */
export async function loggedCall<T>(log: Logger, run: () => Promise<T> | T, summary?: (result: T) => LogFields): Promise<T> {
  const started = Date.now();
  try {
    const result = await run();
    if (log.writes("debug")) log.debug("rpc done", { ms: Date.now() - started, ...summary?.(result) });
    return result;
  } catch (error) {
    log.warn("rpc failed", { ms: Date.now() - started, error });
    throw error;
  }
}
