// Load generation for the gateway benchmark: one timed chat completion (whole body) or stream (time
// to the first content delta and to the end) against a peer, and two bounded drivers: sequential
// interleaved rounds across peers, and a closed loop at a fixed concurrency. Every request has a timeout.
import { readSseEvents } from "../../shared/sse";

/** Where and how a peer takes an OpenAI chat completion request. */
export interface ChatEndpoint {
  name: string;
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The process that serves it (its CPU per request is measured), when there is exactly one. */
  serverPid?: number;
}

export interface TimedCall {
  ok: boolean;
  status: number;
  latencyMs: number;
  /** Streams only: from sending the request to the first non-empty content delta. */
  ttftMs?: number;
  headers: Headers | undefined;
  error?: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** The request body of benchmark request `index`: the same text for every peer, different per index. */
export function chatBody(model: string, index: number, stream: boolean): string {
  const content = `Benchmark request ${index}: in one line, why does a gateway retry with jitter?`;
  return JSON.stringify({ model, messages: [{ role: "user", content }], ...(stream ? { stream: true } : {}) });
}

function failed(started: number, status: number, error: string, headers?: Headers): TimedCall {
  return { ok: false, status, latencyMs: performance.now() - started, headers, error };
}

/** One non-stream chat completion, timed until the whole body has arrived; ok means 200 with choices. */
export async function timeChat(endpoint: ChatEndpoint, index: number, model = endpoint.model): Promise<TimedCall> {
  const started = performance.now();
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...endpoint.headers },
      body: chatBody(model, index, false),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const latencyMs = performance.now() - started;
    if (response.status !== 200 || !text.includes('"choices"')) return { ...failed(started, response.status, text.slice(0, 200), response.headers), latencyMs };
    return { ok: true, status: 200, latencyMs, headers: response.headers };
  } catch (error) {
    return failed(started, 0, (error as Error).message);
  }
}

function contentOf(data: string): string {
  try {
    const chunk: unknown = JSON.parse(data);
    if (typeof chunk !== "object" || chunk === null || !("choices" in chunk) || !Array.isArray(chunk.choices)) return "";
    const delta: unknown = (chunk.choices[0] as { delta?: unknown } | undefined)?.delta;
    return typeof delta === "object" && delta !== null && "content" in delta && typeof delta.content === "string" ? delta.content : "";
  } catch {
    return "";
  }
}

/** One streamed chat completion: time to the first content delta, and to the end; ok means it ended with [DONE]. */
export async function timeStream(endpoint: ChatEndpoint, index: number): Promise<TimedCall> {
  const started = performance.now();
  try {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...endpoint.headers },
      body: chatBody(endpoint.model, index, true),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 200 || !response.body) return failed(started, response.status, (await response.text()).slice(0, 200), response.headers);
    let ttftMs: number | undefined;
    let done = false;
    for await (const event of readSseEvents(response.body)) {
      if (event.data === "[DONE]") done = true;
      else if (ttftMs === undefined && contentOf(event.data) !== "") ttftMs = performance.now() - started;
    }
    const latencyMs = performance.now() - started;
    if (!done || ttftMs === undefined) return { ...failed(started, 200, "stream ended without content or [DONE]", response.headers), latencyMs };
    return { ok: true, status: 200, latencyMs, ttftMs, headers: response.headers };
  } catch (error) {
    return failed(started, 0, (error as Error).message);
  }
}

export interface Sample {
  calls: TimedCall[];
  /** Wall-clock time spent issuing them (for throughput). */
  wallMs: number;
}

/**
 * Sequential requests, interleaved: `rounds` rounds, each giving every peer its share in a rotated
 * order so no peer always goes first. Stops early at `deadlineMs` (wall clock from the start).
 */
export async function runInterleaved<P extends string>(
  peers: readonly P[],
  perPeer: number,
  rounds: number,
  call: (peer: P, index: number) => Promise<TimedCall>,
  deadlineMs: number,
): Promise<Record<P, Sample>> {
  const samples = Object.fromEntries(peers.map((peer) => [peer, { calls: [], wallMs: 0 }])) as unknown as Record<P, Sample>;
  const deadline = performance.now() + deadlineMs;
  const perRound = Math.ceil(perPeer / rounds);
  for (let round = 0; round < rounds && performance.now() < deadline; round++) {
    const shift = round % peers.length;
    for (const peer of [...peers.slice(shift), ...peers.slice(0, shift)]) {
      const sample = samples[peer];
      const started = performance.now();
      for (let i = 0; i < perRound && sample.calls.length < perPeer && performance.now() < deadline; i++) {
        sample.calls.push(await call(peer, round * perRound + i));
      }
      sample.wallMs += performance.now() - started;
    }
  }
  return samples;
}

/** A closed loop: `concurrency` workers issue requests until `count` were sent or `deadlineMs` passed. */
export async function runConcurrent(count: number, concurrency: number, call: (index: number) => Promise<TimedCall>, deadlineMs: number, firstIndex = 0): Promise<Sample> {
  const calls: TimedCall[] = [];
  const deadline = performance.now() + deadlineMs;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const index = firstIndex + next++;
      calls.push(await call(index));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { calls, wallMs: performance.now() - started };
}

/** Adds `more` to `into` (same peer, another round). */
export function mergeSample(into: Sample, more: Sample): void {
  into.calls.push(...more.calls);
  into.wallMs += more.wallMs;
}
