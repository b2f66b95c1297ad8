// Queue delivery of enrichment records: the message on the ENRICH_QUEUE Cloudflare Queue (only
// `{tenant, id}`; the record itself is in its hash, written first), the queue names the edge consumes
// (wrangler.toml), and sending messages for accepted records. A send that fails is a 503 the caller
// retries with the same ids: the hashes are there, and a repeated id that is not settled yet is sent again.
import { z } from "zod";
import { GatewayError } from "@llm-edge/shared";
import { RecordIdSchema } from "@llm-edge/shared/enrich";

/** The queue the intake sends to and queue() consumes (wrangler.toml [[queues.consumers]]). */
export const ENRICH_QUEUE_NAME = "llm-edge-enrich";
/** Where the platform moves a message after max_retries failed deliveries; queue() consumes it too. */
export const ENRICH_DEAD_QUEUE_NAME = "llm-edge-enrich-dead";

/** One message: which record of which tenant to advance. */
export const EnrichMessageSchema = z.strictObject({ tenant: z.string().min(1).max(64), id: RecordIdSchema });
export type EnrichMessage = z.infer<typeof EnrichMessageSchema>;

/** Sends one message per record id (one sendBatch call per 100); a missing binding or a failed send is a 503. */
export async function sendRecords(queue: Queue<EnrichMessage> | undefined, tenant: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  if (!queue) throw new GatewayError("Enrichment queue delivery is configured but the ENRICH_QUEUE binding is missing.", { type: "service_unavailable", code: "queue_unavailable", status: 503 });
  try {
    for (let start = 0; start < ids.length; start += 100) {
      await queue.sendBatch(ids.slice(start, start + 100).map((id) => ({ body: { tenant, id }, contentType: "json" as const })));
    }
  } catch {
    throw new GatewayError("The enrichment queue did not accept the records; they are stored: send them again with the same ids.", { type: "service_unavailable", code: "queue_unavailable", status: 503 });
  }
}
