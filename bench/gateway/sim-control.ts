// The simulator's control API (/__sim) as the benchmark uses it: script faults, clear them, and read
// how many calls each simulated model has received.

export interface SimFault {
  model: string;
  status?: number;
  times?: number;
  latencyMs?: number;
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (response.status !== 200) throw new Error(`${what} failed: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

/** Replaces the fault of `fault.model` (a fault with `times` is consumed by that many calls). */
export async function setFault(simUrl: string, fault: SimFault): Promise<void> {
  const response = await fetch(`${simUrl}/__sim/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
    signal: AbortSignal.timeout(5_000),
  });
  await expectOk(response, "setting a simulator fault");
}

/** Removes the faults (and call counts) of one model, or of every model when none is given. */
export async function clearFaults(simUrl: string, model?: string): Promise<void> {
  const query = model === undefined ? "" : `?model=${encodeURIComponent(model)}`;
  await expectOk(await fetch(`${simUrl}/__sim/faults${query}`, { method: "DELETE", signal: AbortSignal.timeout(5_000) }), "clearing simulator faults");
}

/** Calls received per model since the last reset. */
export async function callCounts(simUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${simUrl}/__sim/calls`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as Record<string, number>;
}

/** The remaining `times` of a model's fault: 0 when it is used up (or there is none). */
export async function remainingFaultTimes(simUrl: string, model: string): Promise<number> {
  const response = await fetch(`${simUrl}/__sim/faults`, { signal: AbortSignal.timeout(5_000) });
  const faults = (await response.json()) as Record<string, { times?: number } | undefined>;
  return faults[model]?.times ?? 0;
}
