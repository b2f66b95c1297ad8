// The orchestrator's plan: the JSON schema the planner answers with (sent as response_format, with one
// example plan — the shape real models follow and the simulator answers with), and the validation of
// a planner's answer against PlanSchema and the job's task limit, as one message the planner can fix.
import { PlanSchema, type Plan } from "@llm-edge/shared/jobs";
import { parseJsonAnswer } from "./strategies";

/** An example plan: two independent tasks that run in parallel, then one that needs both. */
export const EXAMPLE_PLAN: Plan = {
  tasks: [
    { id: "facts", prompt: "List the key facts the goal depends on.", dependsOn: [] },
    { id: "risks", prompt: "List the main risks and open questions of the goal.", dependsOn: [] },
    { id: "draft", prompt: "Write the answer to the goal from the facts and the risks.", dependsOn: ["facts", "risks"] },
  ],
};

/** The JSON schema of a plan (PlanSchema's shape; ids, dependencies and cycles are checked after parsing). */
export const PLAN_JSON_SCHEMA = {
  type: "object",
  properties: {
    tasks: {
      type: "array",
      minItems: 1,
      maxItems: 50,
      items: {
        type: "object",
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,40}$", description: "Unique id of the task." },
          prompt: { type: "string", description: "What the worker must do; the answers of its dependencies are appended." },
          model: { type: "string", description: "Optional model alias for this task." },
          dependsOn: { type: "array", items: { type: "string" }, description: "Ids of the tasks whose answers this one needs." },
        },
        required: ["id", "prompt", "dependsOn"],
        additionalProperties: false,
      },
    },
  },
  required: ["tasks"],
  additionalProperties: false,
  examples: [EXAMPLE_PLAN],
} as const;

export type PlanCheck = { ok: true; plan: Plan } | { ok: false; error: string };

/**
 * Reads a planner's answer as a plan: JSON, conforming to PlanSchema (unique ids, known dependencies,
 * no cycle) and small enough that its tasks fit in `maxPlanTasks`. The error names the first problem
 * with its path, so the planner can be asked to repair exactly that.
 */
export function checkPlan(text: string, maxPlanTasks: number): PlanCheck {
  const value = parseJsonAnswer(text);
  if (value === undefined) return { ok: false, error: "the answer is not JSON" };
  const parsed = PlanSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
  }
  if (parsed.data.tasks.length > maxPlanTasks) {
    return { ok: false, error: `tasks: the plan has ${parsed.data.tasks.length} tasks, at most ${maxPlanTasks} fit the job's task limit` };
  }
  return { ok: true, plan: parsed.data };
}
