// Shared setup for the guardrail tests: policies from config input, a one-call detector with the
// default policy, dependencies for the check functions, and a review queue on real Redis through the
// REST bridge under a random key prefix (only those keys are deleted afterwards).
import { randomBytes } from "node:crypto";
import { Redis as DirectRedis } from "ioredis";
import { GuardrailConfigSchema, createLogger, redisFromEnv, type Direction, type Finding } from "@llm-edge/shared";
import { startRedisBridge, type RedisBridge } from "../../../dev/redis-bridge/server";
import type { GuardrailDeps } from "../../../functions/guardrail/checks";
import { assessText, type ScanScope } from "../../../functions/guardrail/engine";
import { resolvePolicy, type CompiledPolicy } from "../../../functions/guardrail/policy";
import { ReviewQueue } from "../../../functions/guardrail/review-queue";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** The compiled policy "p" built from this policy input, or the default policy. */
export function policyFrom(policy: Record<string, unknown> = {}): CompiledPolicy {
  return resolvePolicy(GuardrailConfigSchema.parse({ policies: { p: policy } }), { tenant: "t", name: "p" });
}

/** Findings the policy reports for a text (default policy, input direction, every check). */
export function findings(text: string, options: { policy?: CompiledPolicy; direction?: Direction; scope?: ScanScope } = {}): Finding[] {
  return assessText(text, options.policy ?? policyFrom(), options.direction ?? "input", options.scope ?? "all").decisions.map((decision) => decision.finding);
}

/** The substrings found, as "TYPE:value". */
export function found(text: string, options: Parameters<typeof findings>[1] = {}): string[] {
  return findings(text, options).map((finding) => `${finding.type}:${text.slice(finding.start, finding.end)}`);
}

/** Log lines go nowhere (tests assert on behaviour, not on logs). */
export const quietLog = createLogger({ worker: "guardrail-test" }, () => {});

export function depsWith(config: Record<string, unknown> = {}, reviews?: ReviewQueue): GuardrailDeps {
  return { config: GuardrailConfigSchema.parse(config), reviews, log: quietLog };
}

export interface QueueHarness {
  bridge: RedisBridge;
  prefix: string;
  direct: DirectRedis;
  /** A queue on this run's prefix; `now` lets a test move time. */
  queue(options?: { now?: () => number; pendingTtlSeconds?: number; retentionSeconds?: number }): ReviewQueue;
  /** Keys under this run's prefix. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startQueueHarness(): Promise<QueueHarness> {
  const runId = randomBytes(6).toString("hex");
  const prefix = `test:guardrail:${runId}:`;
  const token = `token-${runId}`;
  const bridge = await startRedisBridge({ port: 0, token, redisUrl: REDIS_URL });
  const direct = new DirectRedis(REDIS_URL, { protocol: 2, lazyConnect: true });
  await direct.connect();
  const redis = redisFromEnv({ UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: token });
  const keys = async () => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await direct.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      found.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return found;
  };
  return {
    bridge,
    prefix,
    direct,
    queue: (options = {}) =>
      new ReviewQueue(redis, { keyPrefix: prefix, pendingTtlSeconds: options.pendingTtlSeconds ?? 3_600, retentionSeconds: options.retentionSeconds ?? 86_400, ...(options.now ? { now: options.now } : {}) }),
    keys,
    async close() {
      const leftover = await keys();
      if (leftover.length > 0) await direct.del(...leftover);
      direct.disconnect();
      await bridge.close();
    },
  };
}
