// Fan-out Worker: the job coordinator for fan-out/fan-in and reflection jobs. Internal only; the edge
// calls it over RPC. Each job lives in its own JobCoordinator Durable Object, named by tenant and job
// id, so a job id of another tenant reaches an empty object and is "not found".
import { WorkerEntrypoint } from "cloudflare:workers";
import { checkDependency, workerHealth, type FanoutRpc, type JobActionResult, type JobRef, type RpcContext, type WorkerHealth } from "@llm-edge/shared";
import type { JobSpec, JobStatus, JobView } from "@llm-edge/shared/jobs";
import { internalOnly } from "../internal";
import type { ControlResult } from "./engine";
import { jobEventStream } from "./events-stream";

export { JobCoordinator } from "./coordinator";

const PROBE_TIMEOUT_MS = 2_000;
const EVENT_WAIT_MS = 15_000;

function publicResult(result: ControlResult): JobActionResult {
  return result.ok ? { ok: true, status: result.status } : result;
}

export default class FanoutWorker extends WorkerEntrypoint<Env> implements FanoutRpc {
  override fetch(): Response {
    return internalOnly();
  }

  private coordinator(ref: JobRef) {
    return this.env.JOBS.get(this.env.JOBS.idFromName(`${ref.tenant}/${ref.id}`));
  }

  /** Proves the Durable Object namespace and its SQLite storage answer. */
  async health(_context: RpcContext): Promise<WorkerHealth> {
    const coordinator = this.env.JOBS.get(this.env.JOBS.idFromName("health"));
    const storage = await checkDependency(() => coordinator.ping(), PROBE_TIMEOUT_MS, "down");
    return workerHealth("fanout", { storage });
  }

  async createJob(context: RpcContext, input: { tenant: string; spec: JobSpec; id?: string }): Promise<{ id: string; status: JobStatus }> {
    const id = input.id ?? `job_${crypto.randomUUID().replaceAll("-", "")}`;
    return this.coordinator({ tenant: input.tenant, id }).create({ id, tenant: input.tenant, spec: input.spec, traceparent: context.traceparent });
  }

  async getJob(_context: RpcContext, ref: JobRef): Promise<JobView | undefined> {
    return this.coordinator(ref).view(ref.tenant);
  }

  async jobEvents(_context: RpcContext, ref: JobRef & { lastEventId?: number }): Promise<ReadableStream<Uint8Array> | undefined> {
    const coordinator = this.coordinator(ref);
    if (!(await coordinator.view(ref.tenant))) return undefined;
    return jobEventStream((after) => coordinator.events(ref.tenant, after, EVENT_WAIT_MS), ref.lastEventId ?? 0);
  }

  async cancelJob(_context: RpcContext, ref: JobRef): Promise<JobActionResult> {
    return publicResult(await this.coordinator(ref).cancel(ref.tenant));
  }

  async approveJob(_context: RpcContext, ref: JobRef): Promise<JobActionResult> {
    return publicResult(await this.coordinator(ref).decide(ref.tenant, true));
  }

  async rejectJob(_context: RpcContext, ref: JobRef): Promise<JobActionResult> {
    return publicResult(await this.coordinator(ref).decide(ref.tenant, false));
  }
}
