// Enrichment intake and status: POST /enrich (one record or {records: [...]}) → 202 with each record's
// id; GET /enrich/:id → status, attempts, result, errors; POST /enrich/:id/replay → a dead-lettered
// record back to the intake. Tenant-scoped: another tenant's id is not found.
import { Hono } from "hono";
import { GatewayError } from "@llm-edge/shared";
import { EnrichRequestSchema } from "@llm-edge/shared/enrich";
import { readJsonBody } from "../body";
import { acceptItems, newRecordId, receiptResponse, recordResponse, replayResponse, requireEnrichContext } from "../enrich/intake";
import type { EdgeEnv } from "../types";

export const enrichRoutes = new Hono<EdgeEnv>()
  .post("/enrich", async (c) => {
    const body = await readJsonBody(c, EnrichRequestSchema);
    const context = requireEnrichContext(c.env);
    const batch = "records" in body;
    const records = batch ? body.records : [body];
    const items = records.map((record, index) => {
      const template = record.template ?? "default";
      if (!(template in context.config.templates)) {
        throw new GatewayError(`Unknown enrichment template "${template}".`, { type: "invalid_request_error", code: "unknown_template", param: batch ? `records.${index}.template` : "template" });
      }
      const id = record.id ?? newRecordId();
      return { id, kind: "record" as const, template, body: JSON.stringify({ ...record, id }) };
    });
    return receiptResponse(await acceptItems(context, c.var.tenant, items), batch, "/v1/enrich");
  })
  .get("/enrich/:id", async (c) => recordResponse(requireEnrichContext(c.env), c.var.tenant, c.req.param("id")))
  .post("/enrich/:id/replay", async (c) => replayResponse(requireEnrichContext(c.env), c.var.tenant, c.req.param("id")));
