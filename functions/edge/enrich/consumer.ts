// The cron drain of the intake streams: per tenant, claim entries a dead consumer left pending
// (XAUTOCLAIM after reclaimIdleMs), walk this consumer's pending entries (jobs running, retries
// waiting for their backoff), then read new entries (XREADGROUP >), advancing each record one step,
// until the run's time or subrequest budget is spent. Jobs started in this run are looked at once
// more at the end, so a fast job is collected in the same run. Returns the counts it logs.
import type { EnrichmentConfig } from "@llm-edge/shared/enrich-config";
import { advanceRecord, STEP_SUBREQUESTS, type AdvanceDeps, type StepOutcome } from "./advance";
import { RunBudget } from "./budget";
import { parseEntry, type ParsedEntry } from "./record";
import type { StreamEntry } from "./store";

/** The consumer name of the cron: one logical consumer, so a later run resumes the pending entries of an earlier one. */
export const CRON_CONSUMER = "cron";

/** Records advanced concurrently within a page (the platform allows 6 open connections per invocation). */
const CONCURRENCY = 6;

export interface DrainReport {
  tenants: number;
  read: number;
  reclaimed: number;
  started: number;
  running: number;
  waiting: number;
  done: number;
  retried: number;
  deadLettered: number;
  malformed: number;
  duplicates: number;
  acked: number;
  failures: number;
  subrequests: number;
  durationMs: number;
  /** True when a budget ran out before every stream was read to its end. */
  budgetSpent: boolean;
}

type Counter = Exclude<keyof DrainReport, "subrequests" | "durationMs" | "budgetSpent" | "tenants">;

const COUNTER: Record<StepOutcome["outcome"], Counter> = {
  done: "done",
  dead_lettered: "deadLettered",
  malformed: "malformed",
  acked: "acked",
  duplicate: "duplicates",
  started: "started",
  running: "running",
  retry_scheduled: "retried",
  waiting: "waiting",
};

function toWork(tenant: string, entries: StreamEntry[]): Work[] {
  return entries.map((entry) => ({ tenant, entryId: entry.id, parsed: parseEntry(entry.id, entry.fields) }));
}

interface Work {
  tenant: string;
  entryId: string;
  parsed: ParsedEntry;
}

export async function drainEnrichment(deps: AdvanceDeps & { onError(error: unknown, context: Record<string, unknown>): void }, config: EnrichmentConfig): Promise<DrainReport> {
  const started = deps.now();
  const budget = new RunBudget(config.run, deps.now);
  const report: DrainReport = { tenants: 0, read: 0, reclaimed: 0, started: 0, running: 0, waiting: 0, done: 0, retried: 0, deadLettered: 0, malformed: 0, duplicates: 0, acked: 0, failures: 0, subrequests: 0, durationMs: 0, budgetSpent: false };
  const startedThisRun: Work[] = [];

  /** Advances a page of records (their hashes read in one call), a few at a time, while the budget allows. */
  const advancePage = async (tenant: string, work: Work[], pass: "first" | "second"): Promise<boolean> => {
    budget.spend();
    const states = await deps.store.records(tenant, work.map((item) => item.parsed.id));
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        if (!budget.allows(STEP_SUBREQUESTS)) return;
        const index = next++;
        const item = work[index]!;
        budget.spend(STEP_SUBREQUESTS);
        try {
          const result = await advanceRecord(deps, { ...item, state: states[index] });
          // The second look counts only what changed: a job still running was counted as started.
          if (pass === "first" || (result.outcome !== "running" && result.outcome !== "started")) report[COUNTER[result.outcome]] += 1;
          if (pass === "second" && result.outcome !== "running" && result.outcome !== "started") report.started -= 1;
          if (pass === "first" && result.outcome === "started") startedThisRun.push(item);
        } catch (error) {
          report.failures += 1;
          deps.onError(error, { tenant, entryId: item.entryId, record: item.parsed.id });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, work.length) }, worker));
    return next >= work.length;
  };

  const tenants = await deps.store.tenants();
  budget.spend();
  report.tenants = tenants.length;
  for (const tenant of tenants) {
    if (!budget.allows(2)) break;
    try {
      let cursor = "0-0";
      do {
        budget.spend();
        const claim = await deps.store.claimStale(tenant, CRON_CONSUMER, config.reclaimIdleMs, cursor, config.run.pageSize);
        report.reclaimed += claim.claimed;
        cursor = claim.next;
      } while (cursor !== "0-0" && budget.allows(2));

      let after = "0";
      while (budget.allows(1 + STEP_SUBREQUESTS)) {
        budget.spend();
        const page = await deps.store.pending(tenant, CRON_CONSUMER, after, config.run.pageSize);
        if (page.length === 0) break;
        report.read += page.length;
        after = page.at(-1)!.id;
        // An id after the last one reads the pending entries past it ("0" only at the start).
        if (!(await advancePage(tenant, toWork(tenant, page), "first")) || page.length < config.run.pageSize) break;
      }
      while (budget.allows(1 + STEP_SUBREQUESTS)) {
        budget.spend();
        const page = await deps.store.fresh(tenant, CRON_CONSUMER, config.run.pageSize);
        if (page.length === 0) break;
        report.read += page.length;
        if (!(await advancePage(tenant, toWork(tenant, page), "first"))) break;
      }
    } catch (error) {
      report.failures += 1;
      deps.onError(error, { tenant });
    }
  }

  // A second look at the jobs this run started: the fast ones are collected now, not a run later.
  for (const tenant of new Set(startedThisRun.map((item) => item.tenant))) {
    if (!budget.allows(1 + STEP_SUBREQUESTS)) break;
    const items = startedThisRun.filter((item) => item.tenant === tenant);
    await advancePage(tenant, items, "second").catch((error: unknown) => deps.onError(error, { tenant }));
  }
  report.budgetSpent = !budget.allows(1 + STEP_SUBREQUESTS);
  report.subrequests = budget.subrequests;
  report.durationMs = deps.now() - started;
  return report;
}
