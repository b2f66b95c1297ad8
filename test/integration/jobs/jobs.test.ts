// The jobs API end to end through the edge: fan-out strategies, reflection, cancel, approval, event
// streams resumed with Last-Event-ID, tenant isolation and bad specs — with the simulator's call
// counts proving that no task ran twice.
import { beforeEach, describe, expect, it } from "vitest";
import { fault, resetSim, simCalls, simLogWhen } from "../support";
import { createJob, finishedJob, followEvents, getJob, jobsApi, say } from "./support";

beforeEach(resetSim);

describe("jobs API", () => {
  it("rejects a bad spec with 400 and the path of the error", async () => {
    const response = await jobsApi("", { method: "POST", body: JSON.stringify({ kind: "fanout", branches: [{ model: "t-job-all", messages: [] }] }) });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { param: string; code: string } };
    expect(body.error).toMatchObject({ param: "branches.0.messages", code: "invalid_value" });
  });

  it("all: every branch answers once and the answers come back as a list", async () => {
    const id = await createJob({
      kind: "fanout",
      branches: [say("Name a fruit"), say("Describe the deep ocean floor"), say("Explain how a bicycle gear works")].map((messages) => ({ model: "t-job-all", messages })),
    });
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    expect(job.result?.answers).toHaveLength(3);
    expect(job.tasks.every((task) => task.attempts === 1)).toBe(true);
    expect(await simCalls("t-job-all")).toEqual({ "t-job-all": 3 });
  });

  it("first: the fast branch wins without waiting for the slow ones, whose upstream call is aborted", async () => {
    await fault({ model: "t-job-slow", latencyMs: 5_000 });
    const started = Date.now();
    const id = await createJob({
      kind: "fanout",
      strategy: "first",
      branches: [
        { model: "t-job-slow", messages: say("Write a limerick about a cat") },
        { model: "t-job-fast", messages: say("Write a limerick about a dog") },
      ],
    });
    const job = await finishedJob(id);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(job.result?.winner).toBe("branch-2");
    expect(job.tasks.find((task) => task.id === "branch-1")?.status).toBe("cancelled");
    // The losing branch's request reached the provider once and was then abandoned by the gateway,
    // long before its 5 s answer: the simulator saw its client go away.
    const slow = await simLogWhen("t-job-slow", (entries) => entries.some((entry) => entry.clientLeft), 2_000);
    expect(slow.map((entry) => entry.clientLeft ?? false)).toEqual([true]);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("best_of_n with a judge: each answer is scored once through the gateway", async () => {
    const id = await createJob({
      kind: "fanout",
      strategy: { type: "best_of_n", judge: { model: "t-job-judge" } },
      branches: [say("Suggest a name for a bakery"), say("Suggest a name for a bookshop")].map((messages) => ({ model: "t-job-all", messages })),
    });
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    expect(Object.keys(job.result?.scores ?? {})).toEqual(["branch-1", "branch-2"]);
    expect(await simCalls("t-job-all", "t-job-judge")).toEqual({ "t-job-all": 2, "t-job-judge": 2 });
  });

  it("reflect: runs generator, critic and reviser rounds, each call once", async () => {
    const id = await createJob({
      kind: "reflect",
      messages: say("Write a haiku about rain"),
      generator: { model: "t-job-gen" },
      critic: { model: "t-job-critic" },
      reviser: { model: "t-job-rev" },
      rubric: "Three lines, 5-7-5 syllables.",
      limits: { maxRounds: 3 },
    });
    const job = await finishedJob(id);
    expect(job.status).toBe("succeeded");
    const rounds = job.result?.rounds ?? 0;
    expect(rounds).toBeGreaterThanOrEqual(1);
    expect(await simCalls("t-job-gen", "t-job-critic", "t-job-rev")).toEqual({ "t-job-gen": 1, "t-job-critic": rounds, "t-job-rev": rounds - 1 });
  });

  it("cancel: the job ends cancelled, its in-flight upstream call is aborted, and a second cancel is a conflict", async () => {
    await fault({ model: "t-job-hang", hang: true });
    const id = await createJob({ kind: "fanout", branches: [{ model: "t-job-hang", messages: say("Tell me a long story") }] });
    await simLogWhen("t-job-hang", (entries) => entries.length === 1);
    const cancel = await jobsApi(`/${id}/cancel`, { method: "POST" });
    expect(await cancel.json()).toEqual({ id, status: "cancelled" });
    expect((await getJob(id)).tasks[0]?.status).toBe("cancelled");
    expect(await simLogWhen("t-job-hang", (entries) => entries.every((entry) => entry.clientLeft))).toHaveLength(1);
    expect((await jobsApi(`/${id}/cancel`, { method: "POST" })).status).toBe(409);
  });

  it("approval: the answer is held until approved", async () => {
    const id = await createJob({ kind: "fanout", branches: [{ model: "t-job-approve", messages: say("Draft a tweet") }], approval: { timeoutMs: 60_000 } });
    await followEvents(id, { until: (event) => event.type === "job.waiting_approval" });
    expect((await getJob(id)).status).toBe("waiting_approval");
    const approve = await jobsApi(`/${id}/approve`, { method: "POST" });
    expect(await approve.json()).toEqual({ id, status: "succeeded" });
    expect((await getJob(id)).result?.text).toContain("simulated t-job-approve");
  });

  it("events resume after Last-Event-ID, and another tenant cannot see the job", async () => {
    const id = await createJob({ kind: "fanout", branches: [{ model: "t-job-evt", messages: say("Say hi") }] });
    const all = await followEvents(id);
    expect(all.map((event) => event.type)).toEqual(["job.created", "task.created", "task.started", "task.succeeded", "job.succeeded"]);
    const rest = await followEvents(id, { lastEventId: all[2]!.id! });
    expect(rest.map((event) => event.type)).toEqual(["task.succeeded", "job.succeeded"]);
    expect((await jobsApi(`/${id}`, {}, "sk-test-other")).status).toBe(404);
    expect((await jobsApi(`/${id}/cancel`, { method: "POST" }, "sk-test-other")).status).toBe(404);
  });
});
