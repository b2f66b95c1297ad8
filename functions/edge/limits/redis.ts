// The edge's Redis key prefix and `timed`, which bounds a Redis call so that a slow or unreachable
// Redis becomes a result, never a hung request. The client itself is redisFromEnv's (one per isolate).
import type { UpstashRedisEnv } from "@llm-edge/shared";

export interface EdgeRedisEnv extends UpstashRedisEnv {
  REDIS_KEY_PREFIX?: string;
}

/** How long the edge waits for Redis on the request path (key lookup, limit checks). */
export const REDIS_BUDGET_MS = 1_000;

/** REDIS_KEY_PREFIX plus "edge:", the namespace of every key the edge writes (defined in shared/spend.ts). */
export { edgeKeyPrefix } from "@llm-edge/shared";

export type Timed<T> = { ok: true; value: T } | { ok: false; reason: "timeout" | "error"; error?: string };

/** Runs `work` within `ms`; a rejection or an overrun is a result (the work is left to finish alone). */
export async function timed<T>(ms: number, work: () => Promise<T>): Promise<Timed<T>> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const overrun = new Promise<Timed<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: "timeout" }), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .then((value): Timed<T> => ({ ok: true, value })),
      overrun,
    ]);
  } catch (error) {
    return { ok: false, reason: "error", error: error instanceof Error ? error.message : String(error) };
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
