// Intake shared by POST /v1/enrich and POST /v1/events: ids for records that bring none, the
// idempotent write of each record (its hash, plus the tenant's intake stream or a queue message, by
// the tenant's delivery path), the 202 answer (one item, or a list for a batch), status and replay.
import { GatewayError } from "@llm-edge/shared";
import type { EnrichStatus } from "@llm-edge/shared/enrich";
import { deliveryFor } from "@llm-edge/shared/enrich-config";
import { enrichContext, type EnrichContext } from "./context";
import { sendRecords } from "./delivery";
import { recordView } from "./record";
import type { IntakeItem } from "./store";

/** One accepted item as the caller sees it: its id, its status, and whether the id had been accepted before. */
export interface IntakeReceipt {
  id: string;
  object: "enrichment.record";
  status: EnrichStatus;
  duplicate: boolean;
}

/** The enrichment context for a route, or the 503 that says why there is none. */
export function requireEnrichContext(env: Env): EnrichContext {
  const context = enrichContext(env);
  if (context instanceof GatewayError) throw context;
  return context;
}

/** A fresh record id for an item without one. */
export function newRecordId(): string {
  return `rec_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * Accepts the items; each id once (later calls report the current status). On the queue path each new
 * record is sent as a message, and so is a repeated id the queue has not settled yet (a caller's retry
 * after a failed send delivers it; a second delivery of a record is harmless).
 */
export async function acceptItems(context: EnrichContext, tenant: string, items: IntakeItem[]): Promise<IntakeReceipt[]> {
  const delivery = deliveryFor(context.config, tenant);
  const outcomes = await context.store.intake(tenant, items, Date.now(), delivery);
  if (delivery === "queue") {
    const unsettled = outcomes.filter((outcome) => outcome.created || (outcome.entryId === undefined && outcome.status !== "done" && outcome.status !== "dead_lettered"));
    await sendRecords(context.queue, tenant, unsettled.map((outcome) => outcome.id));
  }
  return outcomes.map((outcome) => ({
    id: outcome.id,
    object: "enrichment.record",
    status: outcome.created ? "queued" : ((outcome.status as EnrichStatus) ?? "queued"),
    duplicate: !outcome.created,
  }));
}

/** 202 with one receipt (and its Location) for a single item, or `{object: "list", data}` for a batch. */
export function receiptResponse(receipts: IntakeReceipt[], batch: boolean, path: string): Response {
  if (batch) return Response.json({ object: "list", data: receipts }, { status: 202 });
  const [receipt] = receipts;
  return Response.json(receipt, { status: 202, headers: { location: `${path}/${receipt!.id}` } });
}

/** GET …/:id: the record's view, or 404. */
export async function recordResponse(context: EnrichContext, tenant: string, id: string): Promise<Response> {
  const state = await context.store.record(tenant, id);
  if (!state) throw new GatewayError(`No enrichment record with id "${id}".`, { type: "not_found_error", code: "record_not_found", param: "id" });
  return Response.json(recordView(id, state));
}

/** POST …/:id/replay: a dead-lettered record back to the intake with a fresh attempt budget. */
export async function replayResponse(context: EnrichContext, tenant: string, id: string): Promise<Response> {
  const delivery = deliveryFor(context.config, tenant);
  const replayed = await context.store.replay(tenant, id, Date.now(), delivery);
  if (replayed.ok && delivery === "queue") await sendRecords(context.queue, tenant, [id]);
  if (replayed.ok) return Response.json({ id, object: "enrichment.record", status: "queued" }, { status: 202 });
  if (replayed.status === "missing") throw new GatewayError(`No enrichment record with id "${id}".`, { type: "not_found_error", code: "record_not_found", param: "id" });
  throw new GatewayError(`Record "${id}" is ${replayed.status}; only dead-lettered records can be replayed.`, { type: "invalid_request_error", code: "record_conflict", status: 409 });
}
