// The shape every simulated model route (chat completions, messages, embeddings) implements:
// validate the body, then build the answer plan once the faults before the response are done.
import type { Wire, WireError } from "./errors";
import type { Plan } from "./sse";

export interface BuildOptions {
  /** The `invalidOutput` fault: well-formed wire JSON with empty / schema-violating content. */
  invalidOutput: boolean;
  /** The `output` fault: this exact text as the answer's content. */
  output?: string;
  requestId: string;
}

export interface PreparedCall {
  build(options: BuildOptions): Plan | Promise<Plan>;
}

export type Prepared = { ok: true; call: PreparedCall } | { ok: false; error: WireError };

export interface ModelRoute {
  wire: Wire;
  prepare(body: unknown): Prepared;
}

/** Seconds since the epoch, as both wires stamp `created`. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
