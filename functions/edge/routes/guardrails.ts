// Guardrail endpoints: check a text, and the human-review queue (list, read, approve, reject). The
// tenant comes from the API key, so one tenant never sees another's reviews.
import { Hono, type Context } from "hono";
import { GatewayError, ReviewDecisionSchema, ReviewStatusSchema, TextCheckRequestSchema } from "@llm-edge/shared";
import { readJsonBody } from "../body";
import type { EdgeEnv } from "../types";
import { patternWorkers } from "../workers";

const notFound = (id: string) => new GatewayError(`No review with id "${id}" for this tenant.`, { type: "not_found_error", code: "review_not_found", param: "id" });

function decide(decision: "approve" | "reject") {
  return async (c: Context<EdgeEnv, "/reviews/:id/approve" | "/reviews/:id/reject">) => {
    const id = c.req.param("id") ?? "";
    const hasBody = (c.req.header("content-length") ?? "0") !== "0";
    const body = hasBody ? await readJsonBody(c, ReviewDecisionSchema.omit({ decision: true })) : {};
    const review = await patternWorkers(c.env).guardrail.decideReview({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id, decision, ...body });
    if (!review) throw notFound(id);
    return c.json(review);
  };
}

export const guardrailRoutes = new Hono<EdgeEnv>()
  .post("/check", async (c) => {
    const body = await readJsonBody(c, TextCheckRequestSchema);
    return c.json(await patternWorkers(c.env).guardrail.checkText({ traceparent: c.var.traceparent }, { ...body, tenant: c.var.tenant }));
  })
  .get("/reviews", async (c) => {
    const status = c.req.query("status");
    const parsedStatus = status === undefined ? undefined : ReviewStatusSchema.safeParse(status);
    if (parsedStatus && !parsedStatus.success) throw new GatewayError(`Invalid status "${status}": use pending, approved, rejected or expired.`, { type: "invalid_request_error", code: "invalid_value", param: "status" });
    const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 50) || 50, 1), 500);
    const reviews = await patternWorkers(c.env).guardrail.listReviews({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, limit, ...(parsedStatus ? { status: parsedStatus.data } : {}) });
    return c.json({ object: "list", data: reviews });
  })
  .get("/reviews/:id", async (c) => {
    const review = await patternWorkers(c.env).guardrail.getReview({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id: c.req.param("id") });
    if (!review) throw notFound(c.req.param("id"));
    return c.json(review);
  })
  .post("/reviews/:id/approve", decide("approve"))
  .post("/reviews/:id/reject", decide("reject"));
