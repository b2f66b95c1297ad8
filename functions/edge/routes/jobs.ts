// The jobs API (fan-out, reflect): POST /jobs → 202 {id, status}; GET /jobs/:id; GET /jobs/:id/events
// (SSE, resumable with Last-Event-ID); POST /jobs/:id/cancel|approve|reject. Answered by the fanout
// Worker over RPC; specs are validated here, so a bad spec is a 400 naming the path of the error.
import { Hono } from "hono";
import { GatewayError, type JobActionResult } from "@llm-edge/shared";
import { JobSpecSchema, isTerminalJobStatus } from "@llm-edge/shared/jobs";
import { readJsonBody } from "../body";
import type { EdgeEnv } from "../types";
import { patternWorkers } from "../workers";

function notFound(id: string): GatewayError {
  return new GatewayError(`No job with id "${id}".`, { type: "not_found_error", code: "job_not_found", param: "id" });
}

function actionResponse(id: string, result: JobActionResult): Response {
  if (result.ok) return Response.json({ id, status: result.status });
  if (result.reason === "not_found") throw notFound(id);
  throw new GatewayError(`Cannot change job "${id}": ${result.message}.`, { type: "invalid_request_error", code: "job_conflict", status: 409 });
}

/** A Last-Event-ID header (or ?lastEventId=) as a non-negative integer; 0 when absent or malformed. */
function lastEventId(header: string | undefined): number {
  const value = Number(header);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

export const jobRoutes = new Hono<EdgeEnv>()
  .post("/jobs", async (c) => {
    const spec = await readJsonBody(c, JobSpecSchema);
    const job = await patternWorkers(c.env).fanout.createJob({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, spec });
    c.set("observed", { job: { id: job.id, kind: spec.kind, state: "created" } });
    return c.json(job, 202, { location: `/v1/jobs/${job.id}` });
  })
  .get("/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const job = await patternWorkers(c.env).fanout.getJob({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id });
    if (!job) throw notFound(id);
    if (isTerminalJobStatus(job.status)) c.set("observed", { job: { id, kind: job.kind, state: job.status } });
    return c.json(job);
  })
  .get("/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    const after = lastEventId(c.req.header("last-event-id") ?? c.req.query("lastEventId"));
    const stream = await patternWorkers(c.env).fanout.jobEvents({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id, lastEventId: after });
    if (!stream) throw notFound(id);
    return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" } });
  })
  .post("/jobs/:id/cancel", async (c) => {
    const id = c.req.param("id");
    return actionResponse(id, await patternWorkers(c.env).fanout.cancelJob({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id }));
  })
  .post("/jobs/:id/approve", async (c) => {
    const id = c.req.param("id");
    return actionResponse(id, await patternWorkers(c.env).fanout.approveJob({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id }));
  })
  .post("/jobs/:id/reject", async (c) => {
    const id = c.req.param("id");
    return actionResponse(id, await patternWorkers(c.env).fanout.rejectJob({ traceparent: c.var.traceparent }, { tenant: c.var.tenant, id }));
  });
