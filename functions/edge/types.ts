// Types of the edge's Hono app: its bindings and the per-request variables set by middleware.
import type { Hono } from "hono";
import type { Logger, RateLimits, TraceContext } from "@llm-edge/shared";
import type { AnswerFigures } from "./answer-figures";

/** A key from the key store (absent for API_KEYS keys): its id and its own limits. */
export interface StoredKey {
  id: string;
  limits?: RateLimits;
}

/** What a route notes for observe.ts beyond the response headers (absent facts are left out). */
export interface ObservedCall {
  /** The requested model alias. */
  model?: string;
  /** Tokens of a non-stream answer (streams end after the response is observed). */
  usage?: { prompt_tokens: number; completion_tokens?: number };
  stream?: boolean;
  /** A job created ("created") or seen in a terminal state (counted once per job). */
  job?: { id: string; kind: string; state: string };
}

export interface EdgeVariables {
  trace: TraceContext;
  traceparent: string;
  log: Logger;
  tenant: string;
  apiKey: StoredKey | undefined;
  observed: ObservedCall | undefined;
  /** The answer's tokens and cost, once a middleware asked (answer-figures.ts `answerFiguresOf`). */
  answerFigures: Promise<AnswerFigures | undefined> | undefined;
}

export type EdgeEnv = { Bindings: Env; Variables: EdgeVariables };
export type EdgeApp = Hono<EdgeEnv>;
