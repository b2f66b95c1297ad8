// Work that must not delay the response: it runs one timer turn after the handler has returned, so
// the runtime writes the response out first, and ctx.waitUntil keeps the isolate alive until it is
// done. Measured at concurrency 1, the request log line and the metrics/audit facts built before the
// response went out added 0.1–0.2 ms to every answer (bench/gateway-split.bench.ts, docs/benchmarks.md).
export function afterResponse(ctx: { waitUntil(work: Promise<unknown>): void }, work: () => unknown): void {
  ctx.waitUntil(new Promise((resolve) => setTimeout(resolve, 0)).then(work));
}
