// Event-driven triggers: POST /events (one event or {events: [...]}) → 202 with each event's id. An
// event's type picks the job template (PLATFORM_CONFIG.enrichment.events); the cron consumer runs it
// like a record and appends the outcome to the tenant's result stream, the audit log of what ran.
// GET /events/:id and POST /events/:id/replay mirror the enrich routes.
import { Hono } from "hono";
import { GatewayError } from "@llm-edge/shared";
import { EventRequestSchema } from "@llm-edge/shared/enrich";
import { readJsonBody } from "../body";
import { acceptItems, newRecordId, receiptResponse, recordResponse, replayResponse, requireEnrichContext } from "../enrich/intake";
import type { EdgeEnv } from "../types";

export const eventRoutes = new Hono<EdgeEnv>()
  .post("/events", async (c) => {
    const body = await readJsonBody(c, EventRequestSchema);
    const context = requireEnrichContext(c.env);
    const batch = "events" in body;
    const events = batch ? body.events : [body];
    const items = events.map((event, index) => {
      const trigger = context.config.events[event.type];
      if (!trigger) {
        throw new GatewayError(`No trigger is configured for event type "${event.type}".`, { type: "invalid_request_error", code: "unknown_event_type", param: batch ? `events.${index}.type` : "type" });
      }
      const id = event.id ?? newRecordId().replace("rec_", "evt_");
      return { id, kind: "event" as const, template: trigger.template, type: event.type, body: JSON.stringify({ ...event, id }) };
    });
    return receiptResponse(await acceptItems(context, c.var.tenant, items), batch, "/v1/events");
  })
  .get("/events/:id", async (c) => recordResponse(requireEnrichContext(c.env), c.var.tenant, c.req.param("id")))
  .post("/events/:id/replay", async (c) => replayResponse(requireEnrichContext(c.env), c.var.tenant, c.req.param("id")));
