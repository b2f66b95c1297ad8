// W3C Trace Context (traceparent) helpers: made at the edge, passed on every RPC, printed in every log line.
// Format: "00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>" (https://www.w3.org/TR/trace-context/).

export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** "00".."ff" by byte value: a table lookup per byte instead of toString/padStart/join on every request. */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  let hex = "";
  for (const byte of buffer) hex += HEX_BYTES[byte];
  return hex;
}

/**
 * Parses a traceparent header. Returns undefined for anything malformed, for version ff, and for the
 * all-zero ids the spec forbids, so a caller can fall back to a fresh trace.
 */
export function parseTraceparent(header: string | null | undefined): TraceContext | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === "ff" || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * Continues the caller's trace when its traceparent is valid, otherwise starts a new one. The
 * returned context has a fresh span id for this hop.
 */
export function startSpan(parent?: TraceContext): TraceContext {
  return { traceId: parent?.traceId ?? randomHex(16), spanId: randomHex(8), sampled: parent?.sampled ?? true };
}

/** Renders a context as a traceparent header value. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? "01" : "00"}`;
}
