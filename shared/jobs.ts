// Job specs and views of the fan-out coordinator: what POST /v1/jobs accepts (kinds fanout, reflect,
// orchestrate, with their strategies, merges and limits) and what GET /v1/jobs/:id and the event
// stream return. The edge validates bodies with these schemas; the coordinator trusts parsed specs.
import { z } from "zod";
import { ChatMessageSchema, ResponseFormatSchema } from "./openai";

const ModelSchema = z.string().min(1).max(200);
const MessagesSchema = z.array(ChatMessageSchema).min(1).max(100);
const PromptSchema = z.string().min(1).max(20_000);

/** Bounds of one job; every job ends with a clear reason when one is reached. */
export const JobLimitsSchema = z.object({
  /** Nesting depth of child jobs (0 = no child jobs). */
  maxDepth: z.number().int().min(0).max(3).default(2),
  /** Upstream tasks a job may create in total (branches, judges, critics, plan tasks, synthesis). */
  maxTasks: z.number().int().min(1).max(200).default(50),
  /** Reflection rounds (generator → critic → reviser). */
  maxRounds: z.number().int().min(1).max(10).default(3),
  /** Spend in USD (from the gateway's cost per call) after which no new task starts. */
  budgetUsd: z.number().positive().max(100).default(1),
  /** Wall time of the whole job. */
  deadlineMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
  /** Wall time of one attempt of one task. */
  taskTimeoutMs: z.number().int().min(100).max(300_000).default(60_000),
  /** Retries of a task after a retryable failure (so attempts = retries + 1). */
  taskRetries: z.number().int().min(0).max(5).default(1),
  /** Upstream calls in flight at once; 6 is the platform's outbound connection limit. */
  concurrency: z.number().int().min(1).max(6).default(6),
  /** How long a task held by a guardrail escalation waits for its review before the job fails. */
  reviewTimeoutMs: z.number().int().min(1_000).max(7 * 24 * 3_600_000).default(3_600_000),
});
export type JobLimits = z.infer<typeof JobLimitsSchema>;

/** A child job of a fan-out: a job of any kind, run by a child coordinator. */
export const NestedJobSchema = z.object({
  get job() {
    return JobSpecSchema;
  },
});
export type NestedJob = z.infer<typeof NestedJobSchema>;

/** A model call: a model alias (a route of the gateway), the conversation and, optionally, the structured output it must give. */
export const BranchSchema = z.object({ model: ModelSchema, messages: MessagesSchema, response_format: ResponseFormatSchema.optional() });
export type Branch = z.infer<typeof BranchSchema>;

/** One conversation over many inputs: every "{{input}}" in the message texts is replaced by each input. */
export const TemplateSchema = z.object({ model: ModelSchema, messages: MessagesSchema });

const RubricCheckSchema = z
  .object({
    /** A JSON schema the answer must parse into and conform to. */
    jsonSchema: z.record(z.string(), z.unknown()).optional(),
    /** Phrases that each add a point when present (case-insensitive). */
    mustInclude: z.array(z.string().min(1)).max(50).optional(),
    /** Phrases that each take a point when present. */
    mustNotInclude: z.array(z.string().min(1)).max(50).optional(),
  })
  .refine((check) => check.jsonSchema || check.mustInclude || check.mustNotInclude, { message: "a check needs jsonSchema, mustInclude or mustNotInclude" });
export type RubricCheck = z.infer<typeof RubricCheckSchema>;

export const StrategySchema = z.preprocess(
  (value) => (typeof value === "string" ? { type: value } : value),
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("all") }),
    z.object({ type: z.literal("first") }),
    z
      .object({
        type: z.literal("best_of_n"),
        /** Scores each answer 0-10 through the gateway. */
        judge: z.object({ model: ModelSchema, criteria: PromptSchema.optional() }).optional(),
        /** Scores each answer locally by schema conformance and rubric phrases. */
        check: RubricCheckSchema.optional(),
      })
      .refine((s) => Boolean(s.judge) !== Boolean(s.check), { message: "best_of_n needs exactly one of judge or check" }),
    z.object({ type: z.literal("quorum"), /** Votes the winning answer needs; default a strict majority of branches. */ minVotes: z.number().int().min(1).optional() }),
  ]),
);
export type Strategy = z.infer<typeof StrategySchema>;

export const SynthesisSchema = z.object({ model: ModelSchema, prompt: PromptSchema });
export type Synthesis = z.infer<typeof SynthesisSchema>;

export const MergeSchema = z.preprocess(
  (value) => (typeof value === "string" ? { type: value } : value),
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("list") }),
    z.object({ type: z.literal("json_merge") }),
    z.object({ type: z.literal("synthesis"), model: ModelSchema, prompt: PromptSchema }),
  ]),
);
export type Merge = z.infer<typeof MergeSchema>;

/** Pause before the job finishes until someone approves or rejects; no answer in time fails the job. */
export const ApprovalSchema = z.object({ timeoutMs: z.number().int().min(1_000).max(7 * 24 * 3_600_000).default(3_600_000) });

const common = {
  limits: JobLimitsSchema.prefault({}),
  approval: ApprovalSchema.optional(),
  metadata: z.record(z.string(), z.string().max(500)).optional(),
};

export const FanoutSpecSchema = z
  .object({
    kind: z.literal("fanout"),
    branches: z.array(BranchSchema).min(1).max(200).optional(),
    /**
     * Child jobs (`{ "job": <spec of any kind> }`), each run by a child coordinator beside the branches
     * (hierarchical agents); each counts as one more branch (tasks job-1, job-2, …) answering with the child's result text.
     */
    jobs: z.array(NestedJobSchema).min(1).max(50).optional(),
    template: TemplateSchema.optional(),
    inputs: z.array(z.string().min(1).max(20_000)).min(1).max(200).optional(),
    strategy: StrategySchema.default({ type: "all" }),
    /** How `all` combines the answers; the other strategies pick one answer. */
    merge: MergeSchema.default({ type: "list" }),
    /**
     * More branches than `limits.concurrency`: run them in waves in this coordinator (the default), or
     * spread them over a tree of child coordinators, at most `concurrency` children per coordinator and
     * `concurrency` branches per leaf, all at once (strategies all and first; `limits.maxDepth` bounds the tree).
     */
    spread: z.enum(["waves", "children"]).optional(),
    ...common,
  })
  .superRefine((spec, ctx) => {
    if (spec.spread === "children" && spec.strategy.type !== "all" && spec.strategy.type !== "first") {
      ctx.addIssue({ code: "custom", path: ["spread"], message: "spread over children works with the strategies all and first" });
    }
    if (spec.spread === "children" && spec.limits.concurrency < 2) ctx.addIssue({ code: "custom", path: ["limits", "concurrency"], message: "spread over children needs a concurrency of at least 2" });
    const tooDeep = nestingProblem(spec);
    if (tooDeep) ctx.addIssue({ code: "custom", path: tooDeep.path, message: tooDeep.message });
    const explicit = spec.branches !== undefined;
    const templated = spec.template !== undefined || spec.inputs !== undefined;
    if (explicit === templated && (explicit || !spec.jobs)) ctx.addIssue({ code: "custom", path: ["branches"], message: "give either branches or template with inputs" });
    if (templated && (!spec.template || !spec.inputs)) ctx.addIssue({ code: "custom", path: [spec.template ? "inputs" : "template"], message: "template and inputs go together" });
  });
export type FanoutSpec = z.infer<typeof FanoutSpecSchema>;

/** What the nesting depth of a spec depends on (structural, so the recursive schema needs no annotation). */
interface NestingShape {
  kind: string;
  branches?: unknown[];
  inputs?: unknown[];
  jobs?: Array<{ job: NestingShape }>;
  spread?: "waves" | "children";
  limits: { maxDepth: number; concurrency: number };
}

/** Levels of child coordinators that spread `branches` over, `width` children per coordinator: 0 when they fit in one. */
export function spreadLevels(branches: number, width: number): number {
  let levels = 0;
  for (let reach = width; reach < branches && width > 1; reach *= width) levels += 1;
  return levels;
}

/** Levels of child coordinators a spec needs: its child jobs, and the tree of a spread over children. */
export function nestingDepth(spec: NestingShape): number {
  if (spec.kind !== "fanout") return 0;
  const calls = spec.branches?.length ?? spec.inputs?.length ?? 0;
  const spread = spec.spread === "children" && calls + (spec.jobs?.length ?? 0) > spec.limits.concurrency ? Math.max(1, spreadLevels(calls, spec.limits.concurrency)) : 0;
  const nested = (spec.jobs ?? []).map((child) => 1 + nestingDepth(child.job));
  return Math.max(spread, ...nested);
}

/** The first child job (or the spread) that takes a fan-out deeper than its `limits.maxDepth`. */
function nestingProblem(spec: NestingShape): { path: Array<string | number>; message: string } | undefined {
  const max = spec.limits.maxDepth;
  const message = (depth: number) => `nesting depth ${depth} exceeds limits.maxDepth ${max}`;
  const index = (spec.jobs ?? []).findIndex((child) => 1 + nestingDepth(child.job) > max);
  if (index >= 0) return { path: ["jobs", index, "job"], message: message(1 + nestingDepth(spec.jobs![index]!.job)) };
  // Otherwise only the spread can make it too deep.
  return nestingDepth(spec) > max ? { path: ["spread"], message: message(nestingDepth(spec)) } : undefined;
}

export const ReflectSpecSchema = z.object({
  kind: z.literal("reflect"),
  /** The task, as the conversation the generator answers. */
  messages: MessagesSchema,
  generator: z.object({ model: ModelSchema }),
  critic: z.object({ model: ModelSchema }),
  reviser: z.object({ model: ModelSchema }),
  /** What the critic checks the answer against. */
  rubric: PromptSchema,
  ...common,
});
export type ReflectSpec = z.infer<typeof ReflectSpecSchema>;

export const OrchestrateSpecSchema = z.object({
  kind: z.literal("orchestrate"),
  /** What the whole job must achieve; the planner splits it into tasks. */
  goal: PromptSchema,
  planner: z.object({ model: ModelSchema, prompt: PromptSchema.optional() }),
  /** Model of plan tasks that name none. */
  workerModel: ModelSchema,
  synthesis: SynthesisSchema,
  ...common,
});
export type OrchestrateSpec = z.infer<typeof OrchestrateSpecSchema>;

/** Every kind of job the coordinator runs. */
export const JobSpecSchema = z.discriminatedUnion("kind", [FanoutSpecSchema, ReflectSpecSchema, OrchestrateSpecSchema]);
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobKind = JobSpec["kind"];

/** The planner's answer: tasks with ids, dependencies, prompts and (optionally) models, forming a DAG. */
export const PlanSchema = z
  .object({
    tasks: z
      .array(
        z.object({
          id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
          prompt: z.string().min(1).max(20_000),
          model: ModelSchema.optional(),
          dependsOn: z.array(z.string()).max(50).default([]),
        }),
      )
      .min(1)
      .max(50),
  })
  .superRefine((plan, ctx) => {
    const ids = new Set<string>();
    plan.tasks.forEach((task, index) => {
      if (ids.has(task.id)) ctx.addIssue({ code: "custom", path: ["tasks", index, "id"], message: `duplicate task id "${task.id}"` });
      ids.add(task.id);
    });
    plan.tasks.forEach((task, index) => {
      task.dependsOn.forEach((dep, depIndex) => {
        if (!ids.has(dep)) ctx.addIssue({ code: "custom", path: ["tasks", index, "dependsOn", depIndex], message: `unknown task "${dep}"` });
      });
    });
    if (ids.size === plan.tasks.length && hasCycle(plan.tasks)) ctx.addIssue({ code: "custom", path: ["tasks"], message: "the dependencies form a cycle" });
  });
export type Plan = z.infer<typeof PlanSchema>;

function hasCycle(tasks: Array<{ id: string; dependsOn: string[] }>): boolean {
  const deps = new Map(tasks.map((task) => [task.id, task.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string): boolean => {
    if (state.get(id) === "done") return false;
    if (state.get(id) === "visiting") return true;
    state.set(id, "visiting");
    const cyclic = (deps.get(id) ?? []).some(visit);
    state.set(id, "done");
    return cyclic;
  };
  return tasks.some((task) => visit(task.id));
}

/** `waiting_review`: a task is held by a guardrail escalation; the job resumes when its review is approved. */
export const JobStatusSchema = z.enum(["running", "waiting_approval", "waiting_review", "succeeded", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const TaskStatusSchema = z.enum(["pending", "running", "succeeded", "failed", "cancelled"]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
/** `job`: a task run as a child job by a child coordinator (a child job of the spec, or a share of a spread fan-out). */
export const TaskRoleSchema = z.enum(["branch", "judge", "synthesis", "generator", "critic", "reviser", "planner", "worker", "job"]);
export type TaskRole = z.infer<typeof TaskRoleSchema>;

/** One task as GET /v1/jobs/:id shows it. */
export interface TaskView {
  id: string;
  role: TaskRole;
  model: string;
  status: TaskStatus;
  attempts: number;
  dependsOn: string[];
  round?: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  tokens?: number;
  costUsd?: number;
  output?: string;
  score?: number;
  error?: string;
  /** The guardrail review that holds (or, approved, lets through) this task's call. */
  review?: TaskReview;
  /** A task run as a child job: that job's id (GET /v1/jobs/:id shows it). */
  childJob?: string;
}

/** A guardrail escalation of a task: the review id, which side was held, and where it stands. */
export interface TaskReview {
  id: string;
  direction: "input" | "output";
  status: "pending" | "approved";
}

/** What a finished job produced: the answer text, and per strategy the winner, scores or votes. */
export interface JobResult {
  text: string;
  json?: unknown;
  answers?: Array<{ task: string; text: string }>;
  winner?: string;
  scores?: Record<string, number>;
  votes?: number;
  /** reflect: rounds run and whether the critic passed the last answer. */
  rounds?: number;
  passed?: boolean;
}

/** A job as GET /v1/jobs/:id shows it. */
export interface JobView {
  id: string;
  kind: JobKind;
  status: JobStatus;
  reason?: string;
  createdAt: number;
  updatedAt: number;
  deadlineAt: number;
  costUsd: number;
  tokens: number;
  result?: JobResult;
  plan?: Plan;
  /** While `waiting_review`: the reviews the job waits for (decide them at /v1/guardrails/reviews/:id). */
  reviews?: Array<{ id: string; task: string; direction: "input" | "output" }>;
  tasks: TaskView[];
}

/** One progress event; `id` grows by one per job and is the SSE id (resume with Last-Event-ID). */
export interface JobEvent {
  id: number;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

/** True when a job can change no more. */
export function isTerminalJobStatus(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}
