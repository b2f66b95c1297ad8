// Fan-out Worker: the job coordinator for fan-out/fan-in and reflection jobs. Internal only; the edge
// calls it over RPC. Each job lives in its own JobCoordinator Durable Object, named by tenant and job
// id, so a job id of another tenant reaches an empty object and is "not found".
import { WorkerEntrypoint } from "cloudflare:workers";
import { checkDependency, createLogger, loggedCall, logLevelOf, rpcLogger, workerHealth, type FanoutRpc, type JobActionResult, type JobRef, type RpcContext, type WorkerHealth } from "@llm-edge/shared";
import type { JobSpec, JobStatus, JobView } from "@llm-edge/shared/jobs";
import { internalOnly } from "../internal";
import type { ControlResult } from "./engine";
import { jobEventStream } from "./events-stream";

export { JobCoordinator } from "./coordinator";

const PROBE_TIMEOUT_MS = 2_000;
const EVENT_WAIT_MS = 15_000;
const rootLogger = createLogger({ worker: "fanout" });

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
  async health(context: RpcContext): Promise<WorkerHealth> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "health", logLevelOf(this.env.PLATFORM_CONFIG)), async () => {
      const coordinator = this.env.JOBS.get(this.env.JOBS.idFromName("health"));
      const storage = await checkDependency(() => coordinator.ping(), PROBE_TIMEOUT_MS, "down");
      return workerHealth("fanout", { storage });
    }, (report) => ({ status: report.status }));
  }

  async createJob(context: RpcContext, input: { tenant: string; spec: JobSpec; id?: string }): Promise<{ id: string; status: JobStatus }> {
    const id = input.id ?? `job_${crypto.randomUUID().replaceAll("-", "")}`;
    return loggedCall(
      rpcLogger(rootLogger, context.traceparent, "createJob", logLevelOf(this.env.PLATFORM_CONFIG)),
      () => this.coordinator({ tenant: input.tenant, id }).create({ id, tenant: input.tenant, spec: input.spec, traceparent: context.traceparent }),
      (job) => ({ tenant: input.tenant, jobId: job.id, kind: input.spec.kind, status: job.status }),
    );
  }

  async getJob(context: RpcContext, ref: JobRef): Promise<JobView | undefined> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "getJob", logLevelOf(this.env.PLATFORM_CONFIG)), () => this.coordinator(ref).view(ref.tenant), (job) => ({ tenant: ref.tenant, jobId: ref.id, found: job !== undefined }));
  }

  async jobEvents(context: RpcContext, ref: JobRef & { lastEventId?: number }): Promise<ReadableStream<Uint8Array> | undefined> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, "jobEvents", logLevelOf(this.env.PLATFORM_CONFIG)), async () => {
      const coordinator = this.coordinator(ref);
      if (!(await coordinator.view(ref.tenant))) return undefined;
      return jobEventStream((after) => coordinator.events(ref.tenant, after, EVENT_WAIT_MS), ref.lastEventId ?? 0);
    }, (stream) => ({ tenant: ref.tenant, jobId: ref.id, found: stream !== undefined }));
  }

  async cancelJob(context: RpcContext, ref: JobRef): Promise<JobActionResult> {
    return this.control(context, "cancelJob", ref, async () => publicResult(await this.coordinator(ref).cancel(ref.tenant)));
  }

  async approveJob(context: RpcContext, ref: JobRef): Promise<JobActionResult> {
    return this.control(context, "approveJob", ref, async () => publicResult(await this.coordinator(ref).decide(ref.tenant, true)));
  }

  async rejectJob(context: RpcContext, ref: JobRef): Promise<JobActionResult> {
    return this.control(context, "rejectJob", ref, async () => publicResult(await this.coordinator(ref).decide(ref.tenant, false)));
  }

  private control(context: RpcContext, rpc: string, ref: JobRef, run: () => Promise<JobActionResult>): Promise<JobActionResult> {
    return loggedCall(rpcLogger(rootLogger, context.traceparent, rpc, logLevelOf(this.env.PLATFORM_CONFIG)), run, (result) => ({ tenant: ref.tenant, jobId: ref.id, ...(result.ok ? { status: result.status } : { reason: result.reason }) }));
  }
}
