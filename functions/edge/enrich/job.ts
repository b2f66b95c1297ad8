// An enrichment attempt as a fan-out job: the job id (derived from the record id and attempt, so
// creating it twice — a record reclaimed after a crash — reaches the same job), the spec (one branch
// per template branch, strategy all), and the record's result read back from the finished job, with
// every JSON branch parsed and checked against its schema.
import { validatorFor } from "@llm-edge/shared/json-schema";
import type { EnrichBranchResult, EnrichResult, IntakeEntry } from "@llm-edge/shared/enrich";
import type { EnrichTemplate } from "@llm-edge/shared/enrich-config";
import { JobLimitsSchema, type FanoutSpec, type JobView } from "@llm-edge/shared/jobs";

/** The job of attempt `attempt` of record `recordId` (unique per tenant: the coordinator is named by tenant and id). */
export function enrichJobId(recordId: string, attempt: number): string {
  return `enrich-${recordId}-${attempt}`;
}

/** The user message of every branch: the record's text, or the event's type and data. */
export function inputText(entry: IntakeEntry): string {
  if (entry.kind === "record") return entry.body.text;
  const data = typeof entry.body.data === "string" ? entry.body.data : JSON.stringify(entry.body.data);
  return `Event "${entry.body.type}":\n${data}`;
}

/** The fan-out spec of one attempt. */
export function enrichJobSpec(recordId: string, entry: IntakeEntry, template: EnrichTemplate): FanoutSpec {
  const text = inputText(entry);
  return {
    kind: "fanout",
    branches: template.branches.map((branch) => ({
      model: branch.model,
      messages: [
        { role: "system" as const, content: branch.instruction },
        { role: "user" as const, content: text },
      ],
      ...(branch.jsonSchema ? { response_format: { type: "json_schema" as const, json_schema: { name: branch.name, schema: branch.jsonSchema, strict: true } } } : {}),
    })),
    strategy: { type: "all" },
    merge: { type: "list" },
    limits: JobLimitsSchema.parse({
      maxDepth: 0,
      maxTasks: template.branches.length,
      deadlineMs: template.deadlineMs,
      taskTimeoutMs: template.taskTimeoutMs,
      taskRetries: template.taskRetries,
      concurrency: Math.min(6, template.branches.length),
    }),
    metadata: { enrichRecord: recordId, enrichKind: entry.kind },
  };
}

export type JobOutcome = { state: "running" } | { state: "succeeded"; result: EnrichResult } | { state: "failed"; error: string };

/**
 * Reads a job: still running, or the record's result (every branch answered; JSON branches parse and
 * conform), or why the attempt failed (the job failed, a branch failed, or an answer broke its schema).
 */
export function jobOutcome(job: JobView, template: EnrichTemplate): JobOutcome {
  if (job.status === "running" || job.status === "waiting_approval" || (job.status as string) === "waiting_review") return { state: "running" };
  const tasks = new Map(job.tasks.map((task) => [task.id, task]));
  const branchErrors = template.branches
    .map((branch, index) => ({ branch, task: tasks.get(`branch-${index + 1}`) }))
    .filter(({ task }) => task?.status !== "succeeded")
    .map(({ branch, task }) => `branch ${branch.name} (${branch.model}): ${task?.error ?? task?.status ?? "missing"}`);
  if (job.status !== "succeeded" || branchErrors.length > 0) {
    const reason = job.status === "succeeded" ? "" : `job ${job.status}${job.reason ? `: ${job.reason}` : ""}`;
    return { state: "failed", error: [reason, ...branchErrors].filter(Boolean).join("; ") };
  }
  const branches: Record<string, EnrichBranchResult> = {};
  for (const [index, branch] of template.branches.entries()) {
    const text = tasks.get(`branch-${index + 1}`)?.output ?? "";
    if (!branch.jsonSchema) {
      branches[branch.name] = { text };
      continue;
    }
    const checked = checkJson(text, branch.jsonSchema);
    if (!checked.ok) return { state: "failed", error: `branch ${branch.name} (${branch.model}): ${checked.error}` };
    branches[branch.name] = { text, json: checked.value };
  }
  return { state: "succeeded", result: { jobId: job.id, branches, costUsd: job.costUsd, tokens: job.tokens } };
}

function checkJson(text: string, schema: Record<string, unknown>): { ok: true; value: unknown } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: "the answer is not JSON" };
  }
  const result = validatorFor(schema).validate(value);
  if (result.valid) return { ok: true, value };
  const first = result.errors.at(-1);
  return { ok: false, error: `the answer does not match its JSON schema${first ? ` (${first.instanceLocation}: ${first.error})` : ""}` };
}
