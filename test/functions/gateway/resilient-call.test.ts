// The retry/fallback loop when the caller cancels: a cancelled attempt is not retried, does not fall
// back, and is not counted against the target's breaker; after a cancel no attempt starts at all.
import { describe, expect, it } from "vitest";
import { createLogger, parsePlatformConfig } from "@llm-edge/shared";
import { BreakerRegistry } from "../../../functions/gateway/breaker/registry";
import { planRoute } from "../../../functions/gateway/plan";
import { callWithResilience, type AttemptContext, type AttemptResult } from "../../../functions/gateway/resilient-call";

const config = parsePlatformConfig({
  providers: { a: { type: "openai-compatible", baseUrl: "http://127.0.0.1:1/v1" }, b: { type: "openai-compatible", baseUrl: "http://127.0.0.1:2/v1" } },
  routes: { chat: { targets: [{ provider: "a", model: "m" }, { provider: "b", model: "m" }], retry: { maxAttempts: 3 } } },
});
const log = createLogger({ test: "resilient-call" }, () => undefined);

function setup(cancelled: AbortSignal) {
  const breakers = new BreakerRegistry();
  const tried: string[] = [];
  const deps = { breakers, log, sleep: async () => undefined, cancelled };
  return { breakers, tried, deps };
}

describe("callWithResilience, cancelled by the caller", () => {
  it("returns the cancel after one attempt: no retry, no fallback, nothing counted against the target", async () => {
    const caller = new AbortController();
    const { breakers, tried, deps } = setup(caller.signal);
    const result = await callWithResilience(planRoute(config, "chat", {}), deps, async (ctx: AttemptContext): Promise<AttemptResult<string>> => {
      tried.push(ctx.target.id);
      caller.abort();
      expect(ctx.cancelled?.aborted).toBe(true);
      return { ok: false, failure: { kind: "cancelled" }, latencyMs: 5 };
    });
    expect(result).toMatchObject({ ok: false, failure: { kind: "cancelled" }, attempts: 1 });
    expect(tried).toEqual(["a/m"]);
    expect(breakers.snapshots()["a/m"]).toMatchObject({ state: "closed", failures: 0, consecutiveFailures: 0 });
  });

  it("starts no attempt once the caller has cancelled", async () => {
    const { tried, deps } = setup(AbortSignal.abort());
    const result = await callWithResilience(planRoute(config, "chat", {}), deps, async (ctx): Promise<AttemptResult<string>> => {
      tried.push(ctx.target.id);
      return { ok: true, value: "answer", latencyMs: 1 };
    });
    expect(result).toMatchObject({ ok: false, failure: { kind: "cancelled" }, attempts: 0 });
    expect(tried).toEqual([]);
  });
});
