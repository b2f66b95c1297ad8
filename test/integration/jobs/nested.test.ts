// Hierarchical jobs end to end: a child job of a fan-out runs in a child coordinator (its own
// Durable Object, readable at GET /v1/jobs/:childJob) with its cost and tokens rolled up into the
// parent; a wide fan-out spread over child coordinators answers under the original branch ids;
// cancelling a parent cancels its child; nesting deeper than limits.maxDepth is a 400 with the path.
import { beforeEach, describe, expect, it } from "vitest";
import { fault, resetSim, simCalls } from "../support";
import { createJob, finishedJob, getJob, jobsApi, jobWhen, say, type JobBody } from "./support";

beforeEach(resetSim);

const call = (model: string, text: string) => ({ model, messages: say(text) });

describe("nested jobs", () => {
  it("runs a child job in a child coordinator beside the branches and rolls its tokens up into the parent", async () => {
    const id = await createJob({
      kind: "fanout",
      branches: [call("t-job-fast", "Name a river")],
      jobs: [{ job: { kind: "fanout", branches: [call("t-job-all", "Name a lake"), call("t-job-all", "Name a sea")] } }],
    });
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    const [direct, nested] = job.tasks as Array<JobBody["tasks"][number] & { childJob?: string; tokens?: number }>;
    expect(nested).toMatchObject({ id: "job-1", role: "job", status: "succeeded", attempts: 1 });
    const child = await getJob(nested!.childJob!);
    expect(child.status).toBe("succeeded");
    expect(child.tasks.map((task) => task.id)).toEqual(["branch-1", "branch-2"]);
    expect(child.tokens).toBeGreaterThan(0);
    expect(job.tokens).toBe((direct!.tokens ?? 0) + child.tokens);
    expect(job.result?.answers).toHaveLength(2);
    expect(await simCalls("t-job-fast", "t-job-all")).toEqual({ "t-job-fast": 1, "t-job-all": 2 });
  });

  it("spreads a fan-out wider than the concurrency bound over a tree of child coordinators", async () => {
    const id = await createJob({
      kind: "fanout",
      spread: "children",
      limits: { concurrency: 3 },
      template: { model: "t-job-all", messages: say("Give one fact about {{input}}") },
      inputs: ["oak", "elm", "ash", "fir", "yew", "beech", "birch", "maple"],
    });
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    expect(job.tasks.map((task) => task.id)).toEqual(["share-1", "share-2", "share-3"]);
    const answers = job.result?.answers as Array<{ task: string; text: string }>;
    expect(answers.map((answer) => answer.task)).toEqual(["branch-1", "branch-2", "branch-3", "branch-4", "branch-5", "branch-6", "branch-7", "branch-8"]);
    expect(answers[5]?.text).toContain("beech");
    expect(await simCalls("t-job-all")).toEqual({ "t-job-all": 8 });
  });

  it("a spread wider than concurrency² takes a second level: 10 branches at width 2", async () => {
    const id = await createJob({
      kind: "fanout",
      spread: "children",
      limits: { concurrency: 2, maxDepth: 3 },
      template: { model: "t-job-all", messages: say("Count to {{input}}") },
      inputs: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
    });
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    expect(job.tasks.map((task) => task.id)).toEqual(["share-1", "share-2"]);
    const firstShare = await getJob(job.tasks[0]!.childJob!);
    expect(firstShare.tasks.map((task) => task.id)).toEqual(["share-1", "share-2"]);
    const answers = job.result?.answers as Array<{ task: string; text: string }>;
    expect(answers.map((answer) => answer.task)).toEqual(Array.from({ length: 10 }, (_, i) => `branch-${i + 1}`));
    expect(answers[9]?.text).toContain("Count to 10");
    expect(await simCalls("t-job-all")).toEqual({ "t-job-all": 10 });
  });

  it("cancelling the parent cancels its running child job", async () => {
    await fault({ model: "t-job-hang", hang: true });
    const id = await createJob({ kind: "fanout", jobs: [{ job: { kind: "fanout", branches: [call("t-job-hang", "Wait forever")] } }] });
    const running = await jobWhen(id, (job) => job.tasks[0]?.status === "running");
    const childId = (running.tasks[0] as { childJob?: string }).childJob!;
    await jobWhen(childId, (job) => job.tasks[0]?.status === "running");
    expect((await jobsApi(`/${id}/cancel`, { method: "POST" })).status).toBe(200);
    expect((await jobWhen(childId, (job) => job.status !== "running")).status).toBe("cancelled");
  });

  it("rejects nesting deeper than limits.maxDepth with 400 and the path", async () => {
    const grandchild = { kind: "fanout", branches: [call("t-job-all", "Hi")] };
    const tooDeep = { kind: "fanout", limits: { maxDepth: 1 }, branches: [call("t-job-all", "Hi")], jobs: [{ job: { kind: "fanout", jobs: [{ job: grandchild }] } }] };
    const response = await jobsApi("", { method: "POST", body: JSON.stringify(tooDeep) });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe("jobs.0.job");
    expect(body.error.message).toContain("nesting depth 2 exceeds limits.maxDepth 1");

    const noChildren = { kind: "fanout", spread: "children", limits: { maxDepth: 0, concurrency: 2 }, branches: ["a", "b", "c"].map((text) => call("t-job-all", text)) };
    const spread = await jobsApi("", { method: "POST", body: JSON.stringify(noChildren) });
    expect(spread.status).toBe(400);
    expect(((await spread.json()) as { error: { param: string } }).error.param).toBe("spread");
    expect(await simCalls("t-job-all")).toEqual({ "t-job-all": 0 });
  });
});
