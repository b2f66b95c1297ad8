// The limits middleware on /v1/*: request windows on every call, token windows and spend budgets
// before spending calls (chat, embeddings, jobs), then — after the response, via ctx.waitUntil — the
// call's tokens and cost are added (chat and embeddings). A tenant without limits costs nothing here.
// Redis failing or slow (REDIS_BUDGET_MS) fails open: the request passes with x-gateway-ratelimit:
// fail-open and a warning in the log.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { checkBudget, errorResponse, recordSpend, redisFromEnv, type BudgetVerdict, type Logger } from "@llm-edge/shared";
import type { Redis } from "@upstash/redis/cloudflare";
import { answerFiguresOf, type AnswerFigures } from "../answer-figures";
import { edgeConfig } from "../config";
import type { EdgeEnv } from "../types";
import { budgetExceeded, rateLimitHeaders, retryAfterSeconds, windowExceeded } from "./headers";
import { limitPlan, type LimitPlan } from "./plan";
import { consumeRequest, peekTokens, spendTokens, type WindowState } from "./rate";
import { REDIS_BUDGET_MS, edgeKeyPrefix, timed } from "./redis";

/** Routes that spend tokens and money: checked against token windows and budgets. */
const SPENDING_ROUTES = new Set(["/v1/chat/completions", "/v1/embeddings", "/v1/jobs"]);
/** Spending routes whose answer carries usage and cost the edge can account. */
const ACCOUNTED_ROUTES = new Set(["/v1/chat/completions", "/v1/embeddings"]);

/**
 * Sets headers on the finished response in place (no copy: Hono's `c.res =` copies a Response); a
 * response with immutable headers is copied once instead.
 */
function addHeaders(c: Context<EdgeEnv>, headers: Record<string, string>): void {
  try {
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  } catch {
    const copy = new Response(c.res.body, c.res);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    c.res = copy;
  }
}

async function runChecks(redis: Redis, prefix: string, plan: LimitPlan, tenant: string, spending: boolean): Promise<{ states: WindowState[]; budget: BudgetVerdict }> {
  const [states, budget] = await Promise.all([
    Promise.all([
      ...plan.requestWindows.map((subject) => consumeRequest(redis, prefix, subject)),
      ...(spending ? plan.tokenWindows.map((subject) => peekTokens(redis, prefix, subject)) : []),
    ]),
    spending && plan.budget ? checkBudget(redis, prefix, tenant, plan.budget) : Promise.resolve<BudgetVerdict>({ ok: true }),
  ]);
  return { states, budget };
}

/** Reads a finished answer (JSON or SSE) for its tokens and cost and adds them to the tenant's windows and budgets. */
async function account(answer: Promise<AnswerFigures | undefined>, redis: Redis, prefix: string, plan: LimitPlan, tenant: string, log: Logger): Promise<void> {
  try {
    const { usage, costUsd } = (await answer) ?? {};
    const tokens = usage?.total_tokens ?? 0;
    await Promise.all([
      ...plan.tokenWindows.map((subject) => spendTokens(redis, prefix, subject, tokens)),
      plan.budget && costUsd ? recordSpend(redis, prefix, tenant, costUsd) : undefined,
    ]);
  } catch (error) {
    log.warn("limits accounting failed: this call's tokens and cost were not counted", { error: error instanceof Error ? error.message : String(error) });
  }
}

export const enforceLimits = createMiddleware<EdgeEnv>(async (c, next) => {
  const tenant = c.get("tenant");
  const config = edgeConfig(c.env);
  const plan = limitPlan(config, tenant, c.get("apiKey"));
  if (!plan) return next();
  const path = c.req.path;
  const spending = c.req.method === "POST" && SPENDING_ROUTES.has(path);
  const log = c.get("log");
  const prefix = edgeKeyPrefix(c.env);
  const checked = await timed(REDIS_BUDGET_MS, async () => {
    const redis = redisFromEnv(c.env);
    return { redis, ...(await runChecks(redis, prefix, plan, tenant, spending)) };
  });
  if (!checked.ok) {
    log.warn("limits unavailable: request let through (fail-open)", { tenant, reason: checked.reason, ...(checked.error ? { error: checked.error } : {}) });
    await next();
    addHeaders(c, { "x-gateway-ratelimit": "fail-open" });
    return;
  }
  const { redis, states, budget } = checked.value;
  const headers = rateLimitHeaders(states);
  const refusedWindow = states.filter((state) => !state.success).sort((a, b) => b.reset - a.reset)[0];
  if (refusedWindow || !budget.ok) {
    const error = refusedWindow ? windowExceeded(refusedWindow) : budgetExceeded(budget as Extract<BudgetVerdict, { ok: false }>, tenant);
    const reset = refusedWindow ? refusedWindow.reset : (budget as Extract<BudgetVerdict, { ok: false }>).reset;
    log.info("request refused by limits", { tenant, code: error.code, kind: refusedWindow?.subject.kind ?? "budget" });
    return errorResponse(error, { ...headers, "retry-after": String(retryAfterSeconds(reset)) });
  }
  await next();
  addHeaders(c, headers);
  if (spending && ACCOUNTED_ROUTES.has(path) && c.res.ok && (plan.tokenWindows.length || plan.budget)) {
    c.executionCtx.waitUntil(account(answerFiguresOf(c), redis, prefix, plan, tenant, log));
  }
});
