// Orchestrate jobs end to end: the planner's plan (from the simulator's structured output) is stored
// and returned, run as a DAG and synthesised; invalid plans (unknown dependency, cycle, too many
// tasks) scripted as canned simulator answers are repaired once or fail the job with the reason.
import { beforeEach, describe, expect, it } from "vitest";
import { fault, resetSim, simCalls, simLog } from "../support";
import { createJob, finishedJob, followEvents, jobsApi, NONCE } from "./support";

beforeEach(resetSim);

const spec = (goal: string, extra: Record<string, unknown> = {}) => ({
  kind: "orchestrate",
  goal: `${goal} (${NONCE})`,
  planner: { model: "t-job-plan" },
  workerModel: "t-job-worker",
  synthesis: { model: "t-job-synth", prompt: "Write the final answer from the task results." },
  ...extra,
});

const plan = (tasks: Array<{ id: string; dependsOn?: string[] }>) => JSON.stringify({ tasks: tasks.map((task) => ({ prompt: `Do ${task.id}`, dependsOn: [], ...task })) });

describe("orchestrate jobs", () => {
  it("stores the planner's plan, runs it as a DAG and synthesises the answer, each call once", async () => {
    const id = await createJob(spec("Plan a weekend trip to Lisbon"));
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    expect(job.plan?.tasks.map((task) => task.id)).toEqual(["facts", "risks", "draft"]);
    const task = (taskId: string) => job.tasks.find((row) => row.id === taskId)!;
    expect(task("task-draft").dependsOn).toEqual(["task-facts", "task-risks"]);
    // The dependent task started only after both of its dependencies had answered.
    expect(task("task-draft").startedAt).toBeGreaterThanOrEqual(Math.max(task("task-facts").endedAt!, task("task-risks").endedAt!));
    expect(job.result?.text).toContain("[simulated t-job-synth]");
    expect(await simCalls("t-job-plan", "t-job-worker", "t-job-synth")).toEqual({ "t-job-plan": 1, "t-job-worker": 3, "t-job-synth": 1 });
    // The dependent worker saw its dependencies' answers in its prompt.
    const draftCall = (await simLog("t-job-worker")).map((entry) => JSON.stringify(entry.body)).find((body) => body.includes("Write the answer to the goal"));
    expect(draftCall).toContain("### task-facts");
    expect(draftCall).toContain("[simulated t-job-worker]");
  });

  it("repairs a plan with an unknown dependency by asking the planner once more with the error", async () => {
    await fault({ model: "t-job-plan", output: plan([{ id: "a" }, { id: "b", dependsOn: ["ghost"] }]), times: 1 });
    const id = await createJob(spec("Compare two databases"));
    const events = await followEvents(id);
    expect(events.find((event) => event.type === "plan.rejected")?.data.error).toBe('tasks.1.dependsOn.0: unknown task "ghost"');
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    expect(job.tasks.filter((task) => task.role === "planner").map((task) => task.id)).toEqual(["plan-1", "plan-2"]);
    expect(await simCalls("t-job-plan", "t-job-worker")).toEqual({ "t-job-plan": 2, "t-job-worker": 3 });
    const repair = (await simLog("t-job-plan")).at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(repair.messages.at(-1)?.content).toContain('unknown task "ghost"');
  });

  it("fails with a clear reason when the repaired plan is still invalid (a cycle); no worker runs", async () => {
    await fault({ model: "t-job-plan", output: plan([{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["a"] }]) });
    const job = await finishedJob(await createJob(spec("Write a poem")));
    expect(job.status).toBe("failed");
    expect(job.reason).toBe("the planner gave no valid plan after 2 tries: tasks: the dependencies form a cycle");
    expect(job.plan).toBeUndefined();
    expect(await simCalls("t-job-plan", "t-job-worker", "t-job-synth")).toEqual({ "t-job-plan": 2, "t-job-worker": 0, "t-job-synth": 0 });
  });

  it("rejects a plan with more tasks than the job's task limit allows", async () => {
    const job = await finishedJob(await createJob(spec("Summarise a book", { limits: { maxTasks: 5 } })));
    expect(job.status).toBe("failed");
    expect(job.reason).toContain("the plan has 3 tasks, at most 2 fit the job's task limit");
    expect(await simCalls("t-job-plan", "t-job-worker")).toEqual({ "t-job-plan": 2, "t-job-worker": 0 });
  });

  it("rejects an orchestrate spec without a synthesis step with 400 and the path", async () => {
    const { synthesis: _omitted, ...incomplete } = spec("Anything");
    const response = await jobsApi("", { method: "POST", body: JSON.stringify(incomplete) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe("synthesis");
  });
});
