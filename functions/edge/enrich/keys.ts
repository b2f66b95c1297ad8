// Redis key names of enrichment, all under REDIS_KEY_PREFIX and per tenant: the intake stream (records
// and events), the result stream (the audit log), the dead-letter stream, each record's status hash,
// and the set of tenants that have an intake stream (the cron drains each of them).

/** The consumer group every consumer of an intake stream reads with. */
export const CONSUMER_GROUP = "enrich";

export interface EnrichKeys {
  /** Set of tenants with an intake stream; producers that XADD directly also SADD their tenant here. */
  tenants: string;
  intake(tenant: string): string;
  results(tenant: string): string;
  deadLetters(tenant: string): string;
  record(tenant: string, id: string): string;
}

/** Keys under `prefix` (REDIS_KEY_PREFIX, default "llm-edge:"). */
export function enrichKeys(prefix: string): EnrichKeys {
  const base = `${prefix}enrich:`;
  return {
    tenants: `${base}tenants`,
    intake: (tenant) => `${base}${tenant}:intake`,
    results: (tenant) => `${base}${tenant}:results`,
    deadLetters: (tenant) => `${base}${tenant}:dead`,
    record: (tenant, id) => `${base}${tenant}:record:${id}`,
  };
}
