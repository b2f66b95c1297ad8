// Applies a fault to one model call, in contract order: latencyMs → hang → status (+ Retry-After),
// then, on the way out, firstTokenDelayMs, malformed and cutAfterChunks (stream or JSON body) and
// chunkDelayMs (between a stream's events).
import type { ServerResponse } from "node:http";
import { errorBody, faultMessage, type Wire } from "./errors";
import type { Fault } from "./faults";
import { requestIdHeaders, untilAborted, wait, writeFlushed } from "./http";
import { SSE_HEADERS, formatSse, type Plan, type SseEvent } from "./sse";

export interface CallContext {
  res: ServerResponse;
  wire: Wire;
  model: string;
  requestId: string;
  /** Fires when the client disconnects before the reply is finished. */
  signal: AbortSignal;
}

/** Runs the faults that act before any response is built; false means the call is already answered. */
export async function runPreResponseFaults(call: CallContext, fault: Fault | undefined): Promise<boolean> {
  if (!fault) return true;
  if (fault.latencyMs !== undefined && !(await wait(fault.latencyMs, call.signal))) return false;
  if (fault.hang) {
    await untilAborted(call.signal);
    return false;
  }
  if (fault.status !== undefined) {
    const headers: Record<string, string> = requestIdHeaders(call.requestId);
    if (fault.retryAfter !== undefined) {
      headers["retry-after"] = String(fault.retryAfter);
      headers["retry-after-ms"] = String(Math.round(fault.retryAfter * 1000));
    }
    const body = errorBody(call.wire, { status: fault.status, message: faultMessage(fault.status, call.model) }, call.requestId);
    const text = JSON.stringify(body);
    call.res.writeHead(fault.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    call.res.end(text);
    return false;
  }
  return true;
}

/** Cuts a JSON text in half: never valid JSON. */
function brokenJson(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

function destroyConnection(call: CallContext): void {
  call.res.socket?.destroy();
}

async function deliverJson(call: CallContext, body: unknown, fault: Fault | undefined): Promise<void> {
  if (fault?.firstTokenDelayMs !== undefined && !(await wait(fault.firstTokenDelayMs, call.signal))) return;
  const text = JSON.stringify(body);
  const headers = { "content-type": "application/json", ...requestIdHeaders(call.requestId) };
  if (fault?.malformed) {
    const broken = brokenJson(text);
    call.res.writeHead(200, { ...headers, "content-length": Buffer.byteLength(broken) });
    call.res.end(broken);
    return;
  }
  call.res.writeHead(200, { ...headers, "content-length": Buffer.byteLength(text) });
  if (fault?.cutAfterChunks !== undefined) {
    await writeFlushed(call.res, brokenJson(text));
    destroyConnection(call);
    return;
  }
  call.res.end(text);
}

async function deliverStream(call: CallContext, events: SseEvent[], fault: Fault | undefined): Promise<void> {
  call.res.writeHead(200, { ...SSE_HEADERS, ...requestIdHeaders(call.requestId) });
  call.res.flushHeaders();
  if (fault?.firstTokenDelayMs !== undefined && !(await wait(fault.firstTokenDelayMs, call.signal))) return;
  const cutAt = fault?.cutAfterChunks === undefined ? undefined : Math.min(fault.cutAfterChunks, events.length - 1);
  const malformedAt = fault?.malformed ? Math.min(1, events.length - 1) : undefined;
  for (const [index, event] of events.entries()) {
    if (index > 0 && fault?.chunkDelayMs !== undefined && !(await wait(fault.chunkDelayMs, call.signal))) return;
    if (call.signal.aborted) return;
    if (index === cutAt) {
      destroyConnection(call);
      return;
    }
    const sent = index === malformedAt ? { ...event, data: brokenJson(event.data) } : event;
    await writeFlushed(call.res, formatSse(sent));
  }
  if (cutAt !== undefined) {
    destroyConnection(call);
    return;
  }
  call.res.end();
}

/** Sends the planned answer, shaped by the fault's output-side fields. */
export async function deliver(call: CallContext, plan: Plan, fault: Fault | undefined): Promise<void> {
  if (plan.kind === "json") await deliverJson(call, plan.body, fault);
  else await deliverStream(call, plan.events, fault);
}
