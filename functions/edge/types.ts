// Types of the edge's Hono app: its bindings and the per-request variables set by middleware.
import type { Hono } from "hono";
import type { Logger, RateLimits, TraceContext } from "@llm-edge/shared";

/** A key from the key store (absent for API_KEYS keys): its id and its own limits. */
export interface StoredKey {
  id: string;
  limits?: RateLimits;
}

export interface EdgeVariables {
  trace: TraceContext;
  traceparent: string;
  log: Logger;
  tenant: string;
  apiKey: StoredKey | undefined;
}

export type EdgeEnv = { Bindings: Env; Variables: EdgeVariables };
export type EdgeApp = Hono<EdgeEnv>;
