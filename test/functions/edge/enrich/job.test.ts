// An attempt as a fan-out job: its spec (one branch per template branch, structured output for JSON
// branches) and the record's result read back from the job, with JSON answers checked against their schemas.
import { describe, expect, it } from "vitest";
import { RunBudget } from "../../../../functions/edge/enrich/budget";
import { enrichJobId, enrichJobSpec, jobOutcome } from "../../../../functions/edge/enrich/job";
import { EnrichTemplateSchema } from "../../../../shared/enrich-config";
import type { IntakeEntry } from "../../../../shared/enrich";
import type { JobView, TaskView } from "../../../../shared/jobs";

const template = EnrichTemplateSchema.parse({
  branches: [
    { name: "summary", model: "m-sum", instruction: "Summarise." },
    { name: "kpis", model: "m-kpi", instruction: "KPIs.", jsonSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] } },
  ],
  taskRetries: 0,
});
const record: IntakeEntry = { kind: "record", body: { id: "r-1", text: "Revenue rose 5%." } };

function job(status: JobView["status"], tasks: Array<Partial<TaskView>>): JobView {
  return {
    id: "enrich-r-1-1", kind: "fanout", status, createdAt: 0, updatedAt: 0, deadlineAt: 0, costUsd: 0.01, tokens: 42,
    tasks: tasks.map((task, index) => ({ id: `branch-${index + 1}`, role: "branch", model: "m", status: "succeeded", attempts: 1, dependsOn: [], ...task })),
  };
}

describe("enrichJobSpec", () => {
  it("makes one branch per template branch, the record as the user message, structured output for JSON branches", () => {
    const spec = enrichJobSpec("r-1", record, template);
    expect(enrichJobId("r-1", 2)).toBe("enrich-r-1-2");
    expect(spec.strategy).toEqual({ type: "all" });
    expect(spec.branches).toHaveLength(2);
    expect(spec.branches![0]).toEqual({ model: "m-sum", messages: [{ role: "system", content: "Summarise." }, { role: "user", content: "Revenue rose 5%." }] });
    expect(spec.branches![1]!.response_format).toEqual({ type: "json_schema", json_schema: { name: "kpis", schema: template.branches[1]!.jsonSchema, strict: true } });
    expect(spec.limits).toMatchObject({ taskRetries: 0, maxTasks: 2, maxDepth: 0 });
  });

  it("gives an event's type and data to the branches", () => {
    const spec = enrichJobSpec("e-1", { kind: "event", body: { type: "order.paid", data: { amount: 3 } } }, template);
    expect(spec.branches![0]!.messages[1]!.content).toBe('Event "order.paid":\n{"amount":3}');
  });
});

describe("jobOutcome", () => {
  it("is running while the job runs", () => {
    expect(jobOutcome(job("running", [{}, {}]), template)).toEqual({ state: "running" });
  });

  it("collects every branch's answer, parsing the JSON ones", () => {
    const outcome = jobOutcome(job("succeeded", [{ output: "A summary." }, { output: '{"n": 5}' }]), template);
    expect(outcome).toEqual({ state: "succeeded", result: { jobId: "enrich-r-1-1", costUsd: 0.01, tokens: 42, branches: { summary: { text: "A summary." }, kpis: { text: '{"n": 5}', json: { n: 5 } } } } });
  });

  it("fails the attempt when a branch failed, the job failed, or a JSON answer breaks its schema", () => {
    expect(jobOutcome(job("succeeded", [{ output: "ok" }, { status: "failed", error: "500 upstream" }]), template)).toEqual({ state: "failed", error: "branch kpis (m-kpi): 500 upstream" });
    expect(jobOutcome({ ...job("failed", [{ status: "failed", error: "boom" }, { status: "cancelled" }]), reason: "deadline" }, template)).toEqual({
      state: "failed",
      error: "job failed: deadline; branch summary (m-sum): boom; branch kpis (m-kpi): cancelled",
    });
    const notJson = jobOutcome(job("succeeded", [{ output: "ok" }, { output: "n is five" }]), template);
    expect(notJson).toEqual({ state: "failed", error: "branch kpis (m-kpi): the answer is not JSON" });
    const wrongShape = jobOutcome(job("succeeded", [{ output: "ok" }, { output: '{"n": "five"}' }]), template);
    expect(wrongShape.state === "failed" && wrongShape.error).toMatch(/^branch kpis \(m-kpi\): the answer does not match its JSON schema/);
  });
});

describe("RunBudget", () => {
  it("allows work while both the subrequest and the time budget last", () => {
    let now = 0;
    const budget = new RunBudget({ timeBudgetMs: 100, subrequestBudget: 5 }, () => now);
    expect(budget.allows(5)).toBe(true);
    budget.spend(3);
    expect(budget.allows(3)).toBe(false);
    expect(budget.allows(2)).toBe(true);
    now = 100;
    expect(budget.allows(1)).toBe(false);
    expect(budget.subrequests).toBe(3);
  });
});
