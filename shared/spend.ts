// Spend budgets per tenant: the gateway's cost figures (x-gateway-cost-usd, the stream's cost
// comment, a job task's cost) summed in Redis per UTC day and month (`<prefix>spend:<tenant>:d:YYYY-MM-DD`
// and `:m:YYYY-MM`, expiring after their period). The edge checks them before a spending request and
// adds its answers' costs; the fan-out coordinator adds what each task call cost.
import type { Redis } from "@upstash/redis/cloudflare";

export interface BudgetLimits {
  dailyUsd?: number;
  monthlyUsd?: number;
}

export type BudgetVerdict = { ok: true } | { ok: false; period: "day" | "month"; budgetUsd: number; spentUsd: number; reset: number };

function periods(now: Date): { day: string; month: string; dayEnds: number; monthEnds: number } {
  const iso = now.toISOString();
  return {
    day: iso.slice(0, 10),
    month: iso.slice(0, 7),
    dayEnds: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1),
    monthEnds: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
  };
}

const spendKeys = (prefix: string, tenant: string, now: Date) => {
  const p = periods(now);
  return { ...p, dayKey: `${prefix}spend:${tenant}:d:${p.day}`, monthKey: `${prefix}spend:${tenant}:m:${p.month}` };
};

/** Whether the tenant may still spend: refused once the day's or month's sum reaches its budget. One MGET. */
export async function checkBudget(redis: Redis, prefix: string, tenant: string, budget: BudgetLimits, now = new Date()): Promise<BudgetVerdict> {
  const keys = spendKeys(prefix, tenant, now);
  const [day, month] = (await redis.mget<unknown[]>(keys.dayKey, keys.monthKey)).map((value) => Number(value ?? 0) || 0);
  if (budget.dailyUsd !== undefined && day! >= budget.dailyUsd) return { ok: false, period: "day", budgetUsd: budget.dailyUsd, spentUsd: day!, reset: keys.dayEnds };
  if (budget.monthlyUsd !== undefined && month! >= budget.monthlyUsd) return { ok: false, period: "month", budgetUsd: budget.monthlyUsd, spentUsd: month!, reset: keys.monthEnds };
  return { ok: true };
}

/** Adds a call's cost to the tenant's day and month sums (one pipeline; run after the response). */
export async function recordSpend(redis: Redis, prefix: string, tenant: string, costUsd: number, now = new Date()): Promise<void> {
  if (!(costUsd > 0)) return;
  const keys = spendKeys(prefix, tenant, now);
  await redis
    .pipeline()
    .incrbyfloat(keys.dayKey, costUsd)
    .expireat(keys.dayKey, Math.ceil(keys.dayEnds / 1000) + 3_600)
    .incrbyfloat(keys.monthKey, costUsd)
    .expireat(keys.monthKey, Math.ceil(keys.monthEnds / 1000) + 3_600)
    .exec();
}

/**
 * The namespace of the edge's keys (spend sums among them): REDIS_KEY_PREFIX plus "edge:". The
 * fan-out coordinator writes job spend under the same prefix so the edge's budget checks see it.
 */
export function edgeKeyPrefix(env: { REDIS_KEY_PREFIX?: string }): string {
  return `${env.REDIS_KEY_PREFIX || "llm-edge:"}edge:`;
}
