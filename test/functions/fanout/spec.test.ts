// Job spec validation (shared/jobs.ts): defaults, the shorthand forms, and errors that name the path.
import { describe, expect, it } from "vitest";
import { JobSpecSchema, nestingDepth, PlanSchema, spreadLevels } from "../../../shared/jobs";

const ask = (text: string) => [{ role: "user", content: text }];

function errorPath(value: unknown): string | undefined {
  const result = JobSpecSchema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]!.path.join(".");
}

describe("job specs", () => {
  it("fills limits and strategy defaults and accepts strategy and merge shorthands", () => {
    const spec = JobSpecSchema.parse({ kind: "fanout", branches: [{ model: "m", messages: ask("hi") }], strategy: "first" });
    expect(spec.kind === "fanout" && spec.strategy).toEqual({ type: "first" });
    expect(spec.kind === "fanout" && spec.merge).toEqual({ type: "list" });
    expect(spec.limits).toMatchObject({ concurrency: 6, maxTasks: 50, maxRounds: 3, taskRetries: 1 });
  });

  it("accepts a template over inputs", () => {
    expect(errorPath({ kind: "fanout", template: { model: "m", messages: ask("Say {{input}}") }, inputs: ["a", "b"] })).toBeUndefined();
  });

  it("names the path of a bad field", () => {
    expect(errorPath({ kind: "fanout", branches: [{ model: "m", messages: [] }] })).toBe("branches.0.messages");
    expect(errorPath({ kind: "fanout", branches: [{ model: "m", messages: ask("x") }], limits: { concurrency: 7 } })).toBe("limits.concurrency");
    expect(errorPath({ kind: "reflect", messages: ask("x"), generator: { model: "g" }, critic: { model: "c" }, reviser: {}, rubric: "r" })).toBe("reviser.model");
    expect(errorPath({ kind: "nope" })).toBe("kind");
  });

  it("needs either branches or a template with inputs", () => {
    expect(errorPath({ kind: "fanout" })).toBe("branches");
    expect(errorPath({ kind: "fanout", template: { model: "m", messages: ask("{{input}}") } })).toBe("inputs");
    expect(errorPath({ kind: "fanout", branches: [{ model: "m", messages: ask("x") }], inputs: ["a"] })).toBe("branches");
  });

  it("needs exactly one scorer for best_of_n", () => {
    const base = { kind: "fanout", branches: [{ model: "m", messages: ask("x") }] };
    expect(errorPath({ ...base, strategy: { type: "best_of_n" } })).toBe("strategy");
    expect(errorPath({ ...base, strategy: { type: "best_of_n", judge: { model: "j" } } })).toBeUndefined();
    expect(errorPath({ ...base, strategy: { type: "best_of_n", check: { mustInclude: ["x"] } } })).toBeUndefined();
  });
});

describe("plans", () => {
  it("rejects unknown dependencies, duplicate ids and cycles with their paths", () => {
    const issues = (tasks: unknown) => {
      const result = PlanSchema.safeParse({ tasks });
      return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    };
    expect(issues([{ id: "a", prompt: "p", dependsOn: ["zz"] }])).toEqual(['tasks.0.dependsOn.0: unknown task "zz"']);
    expect(issues([{ id: "a", prompt: "p" }, { id: "a", prompt: "q" }])).toEqual(['tasks.1.id: duplicate task id "a"']);
    expect(issues([{ id: "a", prompt: "p", dependsOn: ["b"] }, { id: "b", prompt: "q", dependsOn: ["a"] }])).toEqual(["tasks: the dependencies form a cycle"]);
    expect(issues([{ id: "a", prompt: "p" }, { id: "b", prompt: "q", dependsOn: ["a"] }])).toEqual([]);
  });
});

describe("nesting", () => {
  const call = { model: "m", messages: ask("x") };
  const child = (jobs?: unknown[]) => ({ job: { kind: "fanout", branches: [call], ...(jobs ? { jobs } : {}) } });

  it("counts the levels of child coordinators a spec needs", () => {
    expect(nestingDepth(JobSpecSchema.parse({ kind: "fanout", branches: [call] }))).toBe(0);
    expect(nestingDepth(JobSpecSchema.parse({ kind: "fanout", branches: [call], jobs: [child([child()])] }))).toBe(2);
    expect(spreadLevels(6, 6)).toBe(0);
    expect(spreadLevels(7, 6)).toBe(1);
    expect(spreadLevels(36, 6)).toBe(1);
    expect(spreadLevels(37, 6)).toBe(2);
  });

  it("rejects nesting deeper than limits.maxDepth at the child job or the spread that breaks it", () => {
    expect(errorPath({ kind: "fanout", jobs: [child([child()])], limits: { maxDepth: 1 } })).toBe("jobs.0.job");
    expect(errorPath({ kind: "fanout", jobs: [child([child()])], limits: { maxDepth: 2 } })).toBeUndefined();
    const wide = { kind: "fanout", spread: "children", branches: Array.from({ length: 40 }, () => call) };
    expect(errorPath({ ...wide, limits: { maxDepth: 1 } })).toBe("spread");
    expect(errorPath({ ...wide, limits: { maxDepth: 2 } })).toBeUndefined();
    expect(errorPath({ ...wide, strategy: "quorum" })).toBe("spread");
  });
});
