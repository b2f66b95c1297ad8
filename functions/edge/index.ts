// Edge Worker: the public surface. HTTP goes to the Hono app; cron ticks go to scheduled(); batches of
// the enrichment queue (and its dead-letter queue) go to queue().
import { WorkerEntrypoint } from "cloudflare:workers";
import { app } from "./app";
import { runEnrichQueue } from "./enrich/queue";
import { runScheduled } from "./scheduled";

export default class EdgeWorker extends WorkerEntrypoint<Env> {
  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }

  override async scheduled(controller: ScheduledController): Promise<void> {
    await runScheduled(controller, this.env);
  }

  override async queue(batch: MessageBatch<unknown>): Promise<void> {
    await runEnrichQueue(batch, this.env);
  }
}
