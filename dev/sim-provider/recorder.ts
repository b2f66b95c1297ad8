// What the simulated provider saw: call counts per model and a per-model log of the last 100
// requests (body as received, headers minus credentials), served under /__sim/calls and /__sim/log.
import type { IncomingHttpHeaders } from "node:http";
import type { Wire } from "./errors";

const LOG_LIMIT = 100;
const CREDENTIAL_HEADERS = new Set(["authorization", "x-api-key"]);

export interface LoggedCall {
  seq: number;
  at: string;
  model: string;
  wire: Wire;
  path: string;
  body: unknown;
  headers: Record<string, string>;
  /** Set when the client went away before the answer was complete (an aborted call). */
  clientLeft?: true;
}

function withoutCredentials(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    kept[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return kept;
}

export class CallRecorder {
  private readonly counts = new Map<string, number>();
  private readonly logs = new Map<string, LoggedCall[]>();
  private seq = 0;

  /** Counts and logs a call; the returned entry may be marked later (clientLeft). */
  record(call: { model: string; wire: Wire; path: string; body: unknown; headers: IncomingHttpHeaders }): LoggedCall {
    this.counts.set(call.model, (this.counts.get(call.model) ?? 0) + 1);
    const log = this.logs.get(call.model) ?? [];
    const entry: LoggedCall = {
      seq: ++this.seq,
      at: new Date().toISOString(),
      model: call.model,
      wire: call.wire,
      path: call.path,
      body: call.body,
      headers: withoutCredentials(call.headers),
    };
    log.push(entry);
    if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
    this.logs.set(call.model, log);
    return entry;
  }

  calls(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** The last 100 requests for `model`, or across all models when none is given (oldest first). */
  log(model?: string): LoggedCall[] {
    if (model !== undefined) return [...(this.logs.get(model) ?? [])];
    return [...this.logs.values()]
      .flat()
      .sort((a, b) => a.seq - b.seq)
      .slice(-LOG_LIMIT);
  }

  clear(model?: string): void {
    if (model === undefined) {
      this.counts.clear();
      this.logs.clear();
    } else {
      this.counts.delete(model);
      this.logs.delete(model);
    }
  }
}
