// What every endpoint handler of the local Upstash Vector server receives, and its signature.
// The HTTP layer resolves `/<command>/<namespace>` and the JSON body; handlers return the `result`.
import type { VectorIndex } from "./store";

export interface CommandContext {
  index: VectorIndex;
  /** "" is the default namespace. */
  namespace: string;
  body: unknown;
  searchParams: URLSearchParams;
}

export type CommandHandler = (context: CommandContext) => unknown;
