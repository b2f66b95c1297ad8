// Queue delivery: the delivery switch (deployment default, per-tenant override, clear config errors),
// wrangler.toml's producer and consumers matching the names the code dispatches on, and the
// dead-letter queue's consumer against real Redis through the Upstash REST bridge: an unsettled record
// is dead-lettered with the errors it holds, a settled one is left alone, a malformed message is acked.
import { randomBytes } from "node:crypto";
import { Redis } from "@upstash/redis";
import { experimental_readRawConfig } from "wrangler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type BridgeHarness } from "../../../dev/redis-bridge/harness";
import { parsePlatformConfig, PlatformConfigSchema } from "../../../../shared/config";
import { DEV_CONFIG_INPUT } from "../../../../shared/dev-config";
import { deliveryFor, EnrichmentConfigSchema } from "../../../../shared/enrich-config";
import { ENRICH_DEAD_QUEUE_NAME, ENRICH_QUEUE_NAME } from "../../../../functions/edge/enrich/delivery";
import { enrichKeys } from "../../../../functions/edge/enrich/keys";
import { consumeEnrichDeadQueue } from "../../../../functions/edge/enrich/queue";
import { EnrichStore } from "../../../../functions/edge/enrich/store";

describe("delivery switch", () => {
  it("is streams by default, queue per deployment or per tenant", () => {
    const { enrichment } = parsePlatformConfig(undefined);
    expect(enrichment.delivery).toBe("streams");
    expect(deliveryFor(enrichment, "tenant-a")).toBe("streams");
    const perTenant = EnrichmentConfigSchema.parse({ tenants: { "tenant-q": { delivery: "queue" } } });
    expect(deliveryFor(perTenant, "tenant-q")).toBe("queue");
    expect(deliveryFor(perTenant, "tenant-a")).toBe("streams");
    const queued = EnrichmentConfigSchema.parse({ delivery: "queue", tenants: { legacy: { delivery: "streams" } } });
    expect(deliveryFor(queued, "tenant-a")).toBe("queue");
    expect(deliveryFor(queued, "legacy")).toBe("streams");
    expect(queued.queue).toEqual({ waitMs: 20_000, pollMs: 1_000, recheckDelaySeconds: 30 });
  });

  it("names a wrong value with its path", () => {
    const result = PlatformConfigSchema.safeParse({ ...DEV_CONFIG_INPUT, enrichment: { delivery: "queues", tenants: { "tenant-a": { delivery: "push" } }, queue: { pollMs: 1 } } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["enrichment.delivery", "enrichment.tenants.tenant-a.delivery", "enrichment.queue.pollMs"]));
  });
});

describe("wrangler.toml queues", () => {
  const { rawConfig } = experimental_readRawConfig({ config: "wrangler.toml" });
  const queues = rawConfig.queues ?? {};

  it("binds ENRICH_QUEUE to the queue the edge consumes, with a dead-letter queue the edge consumes too", () => {
    expect(queues.producers).toEqual(expect.arrayContaining([expect.objectContaining({ binding: "ENRICH_QUEUE", queue: ENRICH_QUEUE_NAME })]));
    const main = queues.consumers?.find((consumer: { queue: string; dead_letter_queue?: string; max_retries?: number }) => consumer.queue === ENRICH_QUEUE_NAME);
    expect(main?.dead_letter_queue).toBe(ENRICH_DEAD_QUEUE_NAME);
    // Failed attempts use retries: more than the default maxAttempts must fit.
    expect(main?.max_retries).toBeGreaterThan(parsePlatformConfig(undefined).enrichment.maxAttempts);
    expect(queues.consumers?.some((consumer: { queue: string }) => consumer.queue === ENRICH_DEAD_QUEUE_NAME)).toBe(true);
  });
});

describe("dead-letter queue consumer", () => {
  const config = EnrichmentConfigSchema.parse({});
  let harness: BridgeHarness;
  let redis: Redis;
  let keys: ReturnType<typeof enrichKeys>;

  beforeAll(async () => {
    harness = await startHarness();
    redis = new Redis({ url: harness.bridge.url, token: harness.token, retry: false, enableTelemetry: false });
    keys = enrichKeys(harness.key("enrich-dlq:"));
  });

  afterAll(() => harness?.close());

  function message(body: unknown) {
    const calls: string[] = [];
    return { calls, message: { id: randomBytes(4).toString("hex"), timestamp: new Date(), attempts: 1, body, ack: () => calls.push("ack"), retry: () => calls.push("retry") } };
  }

  it("dead-letters an unsettled record with its errors and leaves a settled one as it is", async () => {
    const store = new EnrichStore(redis as never, keys, config);
    const items = ["r-failing", "r-done"].map((id) => ({ id, kind: "record" as const, template: "default", body: JSON.stringify({ id, text: `text of ${id}` }) }));
    await store.intake("t1", items, 1_000, "queue");
    await store.failAttempt("t1", "r-failing", [{ attempt: 1, message: "branch summary: 500", at: 1_100 }], 5_000, 1_100);
    await store.settle("t1", "r-done", undefined, { status: "done", hash: { result: JSON.stringify({ jobId: "j", branches: {}, costUsd: 0, tokens: 0 }) }, entry: { id: "r-done" } }, 1_200);

    const failing = message({ tenant: "t1", id: "r-failing" });
    const done = message({ tenant: "t1", id: "r-done" });
    const malformed = message({ nope: true });
    const batch = { queue: ENRICH_DEAD_QUEUE_NAME, messages: [failing.message, done.message, malformed.message], ackAll() {}, retryAll() {} };
    const errors: unknown[] = [];
    const report = await consumeEnrichDeadQueue({ store, now: () => 2_000, onError: (error) => errors.push(error) }, batch as never);

    expect(report).toMatchObject({ messages: 3, deadLettered: 1, acked: 1, malformed: 1, failures: 0 });
    expect([failing.calls, done.calls, malformed.calls]).toEqual([["ack"], ["ack"], ["ack"]]);
    const record = await store.record("t1", "r-failing");
    expect(record).toMatchObject({ status: "dead_lettered", attempts: 0, finishedAt: 2_000 });
    expect(record?.reason).toMatch(/dead-letter queue/);
    expect(record?.errors).toEqual([{ attempt: 1, message: "branch summary: 500", at: 1_100 }]);
    expect((await store.record("t1", "r-done"))?.status).toBe("done");
    const dead = (await harness.direct.xrange(keys.deadLetters("t1"), "-", "+")).map(([, fields]) => fields);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toEqual(expect.arrayContaining(["id", "r-failing", "errors", JSON.stringify([{ attempt: 1, message: "branch summary: 500", at: 1_100 }])]));
    expect(dead[0]).not.toContain("sourceEntryId");
    // The queue path writes no intake stream, and the tenant is not listed for the cron.
    expect(await harness.direct.exists(keys.intake("t1"))).toBe(0);
    expect(await harness.direct.sismember(keys.tenants, "t1")).toBe(0);
    expect(errors).toEqual([]);
  });
});
