// The reliability part of the gateway benchmark. (i) Transient errors: windows of concurrent requests,
// each preceded by a 503 fault with `times` on sim-primary, sized so that about 30% of all upstream
// calls fail; success % and the measured upstream failure rate. (ii) Primary hard down: after the breaker trips,
// the share of requests that never touched sim-primary, and latency against going to sim-secondary directly.
import { summarize, type LatencySummary } from "../support/stats";
import { runConcurrent, timeChat, type ChatEndpoint, type TimedCall } from "./load";
import { callCounts, clearFaults, remainingFaultTimes, setFault } from "./sim-control";

const PRIMARY = "sim-primary";
const SECONDARY = "sim-secondary";

export interface TransientPlan {
  requests: number;
  /** Requests sent together; a fault is armed before each window. */
  window: number;
  /** The share of upstream calls that should fail. */
  failureShare: number;
  /**
   * Cap on the 503s armed per window. The fault hits the window's first calls back to back, so the
   * cap stays under the breaker's default of 5 consecutive failures: the errors are transient and
   * spread out, not an outage.
   */
  maxFailuresPerWindow: number;
  deadlineMs: number;
}

export const DEFAULT_TRANSIENT_PLAN: TransientPlan = { requests: 1_000, window: 10, failureShare: 0.3, maxFailuresPerWindow: 4, deadlineMs: 75_000 };

/** 503s to arm for the next window so that injected / upstream calls stays near `failureShare` (expecting `window` more calls). */
function failuresToArm(plan: TransientPlan, upstreamSoFar: number, injectedSoFar: number): number {
  const wanted = (plan.failureShare * (upstreamSoFar + plan.window) - injectedSoFar) / (1 - plan.failureShare);
  return Math.max(0, Math.min(plan.maxFailuresPerWindow, Math.round(wanted)));
}

export interface TransientFigures {
  peer: string;
  sent: number;
  succeeded: number;
  successPct: number;
  upstreamCalls: number;
  injectedFailures: number;
  upstreamFailurePct: number;
  latency: LatencySummary;
  failureStatuses: Record<string, number>;
}

function statusCounts(calls: TimedCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) if (!call.ok) counts[String(call.status)] = (counts[String(call.status)] ?? 0) + 1;
  return counts;
}

function upstreamTotal(counts: Record<string, number>): number {
  return (counts[PRIMARY] ?? 0) + (counts[SECONDARY] ?? 0);
}

/** Run (i) for one peer whose endpoint routes to sim-primary first and can fall back to sim-secondary. */
export async function runTransientErrors(simUrl: string, endpoint: ChatEndpoint, plan: TransientPlan = DEFAULT_TRANSIENT_PLAN): Promise<TransientFigures> {
  await clearFaults(simUrl);
  const before = upstreamTotal(await callCounts(simUrl));
  const calls: TimedCall[] = [];
  let injected = 0;
  let upstreamCalls = 0;
  const deadline = performance.now() + plan.deadlineMs;
  try {
    for (let first = 0; first < plan.requests && performance.now() < deadline; first += plan.window) {
      // Arming replaces what is left of the last window's fault; 503s never called for are not counted.
      const armed = failuresToArm(plan, upstreamCalls, injected);
      if (armed > 0) await setFault(simUrl, { model: PRIMARY, status: 503, times: armed });
      const pending = armed > 0 ? armed : await remainingFaultTimes(simUrl, PRIMARY);
      const size = Math.min(plan.window, plan.requests - first);
      const window = await runConcurrent(size, size, (index) => timeChat(endpoint, index), deadline - performance.now(), 5_000_000 + first);
      calls.push(...window.calls);
      injected += pending - (await remainingFaultTimes(simUrl, PRIMARY));
      upstreamCalls = upstreamTotal(await callCounts(simUrl)) - before;
    }
  } finally {
    await clearFaults(simUrl);
  }
  const succeeded = calls.filter((call) => call.ok).length;
  return {
    peer: endpoint.name,
    sent: calls.length,
    succeeded,
    successPct: calls.length === 0 ? Number.NaN : (100 * succeeded) / calls.length,
    upstreamCalls,
    injectedFailures: injected,
    upstreamFailurePct: upstreamCalls === 0 ? Number.NaN : (100 * injected) / upstreamCalls,
    latency: summarize(calls.filter((call) => call.ok).map((call) => call.latencyMs)),
    failureStatuses: statusCounts(calls),
  };
}

/**
 * Polls (every 200 ms, at most `deadlineMs`) a request through `endpoint` to the single-target route
 * `model` until sim-primary answers it: its breaker is closed again. True when it did.
 */
export async function waitForPrimary(endpoint: ChatEndpoint, model: string, deadlineMs = 40_000): Promise<boolean> {
  const deadline = performance.now() + deadlineMs;
  for (let index = 7_000_000; performance.now() < deadline; index++) {
    const call = await timeChat(endpoint, index, model);
    if (call.ok && call.headers?.get("x-gateway-model") === PRIMARY) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

export interface HardDownPlan {
  /** Bound on the requests sent while waiting for the breaker to open. */
  maxTripRequests: number;
  /** The breaker counts as open after this many requests in a row that did not touch sim-primary. */
  untouchedInARow: number;
  measuredRequests: number;
  deadlineMs: number;
}

export const DEFAULT_HARD_DOWN_PLAN: HardDownPlan = { maxTripRequests: 200, untouchedInARow: 5, measuredRequests: 300, deadlineMs: 45_000 };

export interface HardDownFigures {
  tripped: boolean;
  /** Requests sent before the breaker counted as open. */
  tripRequests: number;
  measured: number;
  successPct: number;
  /** Share of measured requests (after the trip) that made no call to sim-primary. */
  untouchedPct: number;
  viaFallback: LatencySummary;
  directToSecondary: LatencySummary;
}

/** One request through `endpoint`, and whether sim-primary saw a call meanwhile (requests are sequential). */
async function callAndCountPrimary(simUrl: string, endpoint: ChatEndpoint, index: number, model?: string): Promise<{ call: TimedCall; touched: boolean }> {
  const before = (await callCounts(simUrl))[PRIMARY] ?? 0;
  const call = await timeChat(endpoint, index, model);
  const after = (await callCounts(simUrl))[PRIMARY] ?? 0;
  return { call, touched: after > before };
}

/**
 * Run (ii), ours only: sim-primary answers 503 to every call; sends requests until the breaker
 * opens (bounded), then interleaves measured requests to the fallback route and to `secondaryModel`.
 */
export async function runHardDown(simUrl: string, endpoint: ChatEndpoint, secondaryModel: string, plan: HardDownPlan = DEFAULT_HARD_DOWN_PLAN): Promise<HardDownFigures> {
  await clearFaults(simUrl);
  await setFault(simUrl, { model: PRIMARY, status: 503 });
  const deadline = performance.now() + plan.deadlineMs;
  try {
    let index = 6_000_000;
    let untouched = 0;
    let tripRequests = 0;
    while (untouched < plan.untouchedInARow && tripRequests < plan.maxTripRequests && performance.now() < deadline) {
      const { touched } = await callAndCountPrimary(simUrl, endpoint, index++);
      untouched = touched ? 0 : untouched + 1;
      tripRequests += 1;
    }
    const viaFallback: TimedCall[] = [];
    const direct: TimedCall[] = [];
    let measuredUntouched = 0;
    for (let i = 0; i < plan.measuredRequests && performance.now() < deadline; i++) {
      const { call, touched } = await callAndCountPrimary(simUrl, endpoint, index);
      viaFallback.push(call);
      if (!touched) measuredUntouched += 1;
      direct.push(await timeChat(endpoint, index++, secondaryModel));
    }
    const okLatencies = (calls: TimedCall[]) => calls.filter((call) => call.ok).map((call) => call.latencyMs);
    return {
      tripped: untouched >= plan.untouchedInARow,
      tripRequests,
      measured: viaFallback.length,
      successPct: viaFallback.length === 0 ? Number.NaN : (100 * viaFallback.filter((call) => call.ok).length) / viaFallback.length,
      untouchedPct: viaFallback.length === 0 ? Number.NaN : (100 * measuredUntouched) / viaFallback.length,
      viaFallback: summarize(okLatencies(viaFallback)),
      directToSecondary: summarize(okLatencies(direct)),
    };
  } finally {
    await clearFaults(simUrl);
  }
}
