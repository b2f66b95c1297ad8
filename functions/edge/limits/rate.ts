// Request and token windows on @upstash/ratelimit (fixed windows, so Retry-After is exact): one
// limiter per (kind, limit, window), made once per isolate with its ephemeral cache, which refuses
// an identifier already known to be over its window without asking Redis again.
import { Ratelimit } from "@upstash/ratelimit";
import type { WindowLimit } from "@llm-edge/shared";
import type { Redis } from "@upstash/redis/cloudflare";

export type LimitKind = "requests" | "tokens";

/** Where a window applies: the tenant as a whole, or one stored key. */
export interface WindowSubject {
  kind: LimitKind;
  scope: "tenant" | "key";
  /** Tenant name or key id. */
  id: string;
  window: WindowLimit;
}

/** A window's state after a check: `success` false means over the limit until `reset` (ms epoch). */
export interface WindowState {
  subject: WindowSubject;
  success: boolean;
  limit: number;
  remaining: number;
  reset: number;
}

const limiters = new Map<string, Ratelimit>();

function limiterFor(redis: Redis, prefix: string, subject: WindowSubject): Ratelimit {
  const { kind, window } = subject;
  const name = `${prefix}rl:${kind}:${window.limit}/${window.windowSeconds}s`;
  let limiter = limiters.get(name);
  if (!limiter) {
    limiter = new Ratelimit({
      // The Workers build of @upstash/redis; the ratelimit package types the Node build.
      redis: redis as unknown as ConstructorParameters<typeof Ratelimit>[0]["redis"],
      limiter: Ratelimit.fixedWindow(window.limit, `${window.windowSeconds} s`),
      prefix: name,
      ephemeralCache: new Map(),
      // No timeout inside the library: the middleware bounds every Redis call itself (timed).
      timeout: 0,
      analytics: false,
    });
    limiters.set(name, limiter);
  }
  return limiter;
}

const identifier = (subject: WindowSubject) => `${subject.scope}:${subject.id}`;

/** Counts one request against a request window. Rejects when Redis fails (the caller fails open). */
export async function consumeRequest(redis: Redis, prefix: string, subject: WindowSubject): Promise<WindowState> {
  const result = await limiterFor(redis, prefix, subject).limit(identifier(subject));
  return { subject, success: result.success, limit: result.limit, remaining: result.remaining, reset: result.reset };
}

/** Reads a token window without spending from it: refused once nothing remains. */
export async function peekTokens(redis: Redis, prefix: string, subject: WindowSubject): Promise<WindowState> {
  const { remaining, reset, limit } = await limiterFor(redis, prefix, subject).getRemaining(identifier(subject));
  return { subject, success: remaining > 0, limit, remaining, reset };
}

/** Spends `tokens` from a token window after the answer (may go past the limit; the next request is then refused). */
export async function spendTokens(redis: Redis, prefix: string, subject: WindowSubject, tokens: number): Promise<void> {
  if (tokens > 0) await limiterFor(redis, prefix, subject).limit(identifier(subject), { rate: tokens });
}
