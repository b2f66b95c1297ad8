// Types of the edge's Hono app: its bindings and the per-request variables set by middleware.
import type { Hono } from "hono";
import type { Logger, TraceContext } from "@llm-edge/shared";

export interface EdgeVariables {
  trace: TraceContext;
  traceparent: string;
  log: Logger;
  tenant: string;
}

export type EdgeEnv = { Bindings: Env; Variables: EdgeVariables };
export type EdgeApp = Hono<EdgeEnv>;
