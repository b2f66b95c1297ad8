// Tokens and cost of a finished answer, for limits and observability (`answerFiguresOf`, one value
// per request). The routes set them from what they already hold: a JSON answer's usage and the
// gateway's cost; a stream's from the gateway, which knows them when the stream ends (its usage chunk
// or an estimate, priced), also when the client left first — so no answer is read again at the edge.
import type { Context } from "hono";
import type { StreamFigures } from "@llm-edge/shared";
import type { EdgeEnv } from "./types";

export type AnswerFigures = StreamFigures;

/** Notes the answer's figures, or the promise of them (a stream's settle when it ended). */
export function setAnswerFigures(c: Context<EdgeEnv>, figures: AnswerFigures | Promise<AnswerFigures | undefined>): void {
  c.set("answerFigures", Promise.resolve(figures).catch(() => undefined));
}

/** The figures the route noted for this request's answer; undefined when it noted none (an error). */
export function answerFiguresOf(c: Context<EdgeEnv>): Promise<AnswerFigures | undefined> {
  return c.get("answerFigures") ?? Promise.resolve(undefined);
}
