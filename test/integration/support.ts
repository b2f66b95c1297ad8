// Helpers for integration tests: calls through the edge, and the simulated provider's fault API.
import { inject } from "vitest";

const stack = inject("stack");

export interface SimFault {
  model: string;
  status?: number;
  retryAfter?: number;
  latencyMs?: number;
  hang?: boolean;
  firstTokenDelayMs?: number;
  cutAfterChunks?: number;
  chunkDelayMs?: number;
  malformed?: boolean;
  invalidOutput?: boolean;
  /** Canned output: the answer's text, verbatim. */
  output?: string;
  times?: number;
}

export async function resetSim(): Promise<void> {
  const response = await fetch(`${stack.simUrl}/__sim/faults`, { method: "DELETE" });
  if (!response.ok) throw new Error(`simulator reset failed: ${response.status}`);
}

export async function fault(spec: SimFault): Promise<void> {
  const response = await fetch(`${stack.simUrl}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) });
  if (!response.ok) throw new Error(`simulator fault failed: ${response.status} ${await response.text()}`);
}

/** Upstream calls the simulator received per model since the last reset (0 for models never called). */
export async function simCalls(...models: string[]): Promise<Record<string, number>> {
  const calls = (await (await fetch(`${stack.simUrl}/__sim/calls`)).json()) as Record<string, number>;
  return Object.fromEntries(models.map((model) => [model, calls[model] ?? 0]));
}

export interface SimLogEntry {
  body: Record<string, unknown>;
  /** The client went away before the answer was complete. */
  clientLeft?: true;
}

export async function simLog(model: string): Promise<SimLogEntry[]> {
  return (await (await fetch(`${stack.simUrl}/__sim/log?model=${encodeURIComponent(model)}`)).json()) as SimLogEntry[];
}

/** The simulator's log for `model` once `done` holds (polled every 50 ms); throws after `timeoutMs` with what it saw. */
export async function simLogWhen(model: string, done: (entries: SimLogEntry[]) => boolean, timeoutMs = 5_000): Promise<SimLogEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await simLog(model);
    if (done(entries)) return entries;
    if (Date.now() > deadline) throw new Error(`simulator log for ${model} never matched: ${JSON.stringify(entries.map((entry) => ({ clientLeft: entry.clientLeft ?? false })))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function chat(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.edgeUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export function ask(model: string, text = "Hello there", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model, messages: [{ role: "user", content: text }], ...extra };
}

export async function health(): Promise<{ status: string; workers: Record<string, { checks: Record<string, { status: string; detail?: string }> }> }> {
  return (await (await fetch(`${stack.edgeUrl}/health`)).json()) as never;
}

export { stack };
