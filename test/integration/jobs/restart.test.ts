// A job survives a restart of the dev process: a second `wrangler dev` (its own port and state folder,
// the run's simulator and stand-ins) is stopped while an orchestrate job is mid-run and started again
// on the same state. The job resumes from its SQLite rows and the simulator's call counts prove that
// the planner and the tasks that had finished were never run again; only the interrupted call was.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../../../dev/ports";
import { startWranglerDev, type WranglerDevHandle } from "../../../dev/wrangler-dev";
import { fault, resetSim, simCalls, stack } from "../support";
import { NONCE, type JobBody } from "./support";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const stateDir = mkdtempSync(join(tmpdir(), "llm-edge-restart-"));
let running: WranglerDevHandle | undefined;

async function startEdge(port: number): Promise<string> {
  running = startWranglerDev({ root: ROOT, port, vars: stack.vars, persistTo: join(stateDir, "wrangler"), output: join(stateDir, "wrangler.log") });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200, 90_000, "the restarted edge", 250);
  return url;
}

async function stopEdge(): Promise<void> {
  await running?.stop();
  running = undefined;
}

function api(edgeUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${edgeUrl}/v1/jobs${path}`, { ...init, headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" } });
}

async function jobWhen(edgeUrl: string, id: string, done: (job: JobBody) => boolean, timeoutMs = 60_000): Promise<JobBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(edgeUrl, `/${id}`).catch(() => undefined);
    const job = response?.ok ? ((await response.json()) as JobBody) : undefined;
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not reach the expected state: ${JSON.stringify(job).slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeEach(resetSim);

afterAll(async () => {
  await stopEdge();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("restart of the dev process", () => {
  it("resumes a job mid-run; finished tasks are never run again, only the interrupted call is", { timeout: 240_000 }, async () => {
    const port = await freePort();
    let edgeUrl = await startEdge(port);
    const plan = {
      tasks: [
        { id: "quick", prompt: "Answer at once", model: "t-job-fast", dependsOn: [] },
        { id: "slow", prompt: "Take your time", model: "t-job-slow", dependsOn: [] },
        { id: "join", prompt: "Combine both", model: "t-job-all", dependsOn: ["quick", "slow"] },
      ],
    };
    await fault({ model: "t-job-restart", output: JSON.stringify(plan), times: 1 });
    // The slow task's first call never answers; the call after the restart answers normally.
    await fault({ model: "t-job-slow", hang: true, times: 1 });
    const created = await api(edgeUrl, "", {
      method: "POST",
      body: JSON.stringify({ kind: "orchestrate", goal: `Restart drill (${NONCE})`, planner: { model: "t-job-restart" }, workerModel: "t-job-all", synthesis: { model: "t-job-synth", prompt: "Combine." } }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const task = (job: JobBody, taskId: string) => job.tasks.find((row) => row.id === taskId);
    await jobWhen(edgeUrl, id, (job) => task(job, "task-quick")?.status === "succeeded" && task(job, "task-slow")?.status === "running");

    await stopEdge();
    edgeUrl = await startEdge(port);

    const done = await jobWhen(edgeUrl, id, (job) => job.status !== "running");
    expect(done.status).toBe("succeeded");
    expect(done.plan?.tasks.map((row) => row.id)).toEqual(["quick", "slow", "join"]);
    expect(done.tasks.map((row) => `${row.id}#${row.attempts}`)).toEqual(["plan-1#1", "task-quick#1", "task-slow#2", "task-join#1", "synthesis#1"]);
    expect(await simCalls("t-job-restart", "t-job-fast", "t-job-slow", "t-job-all", "t-job-synth")).toEqual({
      "t-job-restart": 1,
      "t-job-fast": 1,
      "t-job-slow": 2,
      "t-job-all": 1,
      "t-job-synth": 1,
    });
  });
});
