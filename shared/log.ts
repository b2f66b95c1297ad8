// JSON log lines: one object per line with level, message, worker and trace id. Values under
// secret-looking keys are masked and bearer tokens / provider keys inside strings are redacted, so a
// careless log call cannot leak a credential. Message content is never logged: call sites log
// lengths, verdicts and finding types, never the text itself.
import { parseTraceparent, startSpan } from "./trace";

export type LogLevel = "debug" | "info" | "warn" | "error";
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
}

/** A logger is one small object (no closures per instance): `with` runs on every request. */
class JsonLogger implements Logger {
  constructor(
    private readonly base: LogFields,
    private readonly sink: (line: string) => void,
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
    return new JsonLogger({ ...this.base, ...fields }, this.sink);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    const sink = this.sink;
    sink(JSON.stringify({ time: new Date().toISOString(), level, message, ...(redact({ ...this.base, ...fields }) as LogFields) }));
  }
}

/**
 * Creates a logger for one Worker (and, with `with`, one request). Lines go to console.log as JSON,
 * which Workers Logs and `wrangler tail` collect; fields are redacted before printing.
 */
export function createLogger(base: LogFields, sink: (line: string) => void = console.log): Logger {
  return new JsonLogger(base, sink);
}

/**
 * The logger of one RPC call: continues the caller's W3C trace (a fresh span under the caller's), so
 * each line carries traceId, spanId, parentSpanId and the RPC's name. A missing or malformed
 * traceparent starts a new trace rather than failing the call.
 */
export function rpcLogger(root: Logger, traceparent: string | undefined, rpc: string): Logger {
  const parent = parseTraceparent(traceparent);
  const span = startSpan(parent);
  return root.with(parent ? { traceId: span.traceId, spanId: span.spanId, parentSpanId: parent.spanId, rpc } : { traceId: span.traceId, spanId: span.spanId, rpc });
}

/**
 * Runs one RPC method's body and logs one line when it ends: "rpc done" with its duration and the
 * fields `summary` picks from the result (verdicts, statuses, counts — never message content), or
 * "rpc failed" with the error (redacted like every line), which is then rethrown unchanged.
 */
export async function loggedCall<T>(log: Logger, run: () => Promise<T> | T, summary?: (result: T) => LogFields): Promise<T> {
  const started = Date.now();
  try {
    const result = await run();
    log.info("rpc done", { ms: Date.now() - started, ...summary?.(result) });
    return result;
  } catch (error) {
    log.warn("rpc failed", { ms: Date.now() - started, error });
    throw error;
  }
}
