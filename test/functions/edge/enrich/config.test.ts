// PLATFORM_CONFIG.enrichment: `{}` gives the default template (summary, KPIs and risk flags as JSON);
// a wrong section fails with the path of each problem.
import { describe, expect, it } from "vitest";
import { parsePlatformConfig, PlatformConfigSchema } from "../../../../shared/config";
import { DEV_CONFIG_INPUT } from "../../../../shared/dev-config";

describe("enrichment config", () => {
  it("defaults to a summary, KPIs and risk flags on the default route, 3 attempts", () => {
    const { enrichment } = parsePlatformConfig(undefined);
    expect(enrichment.maxAttempts).toBe(3);
    expect(enrichment.templates.default!.branches.map((branch) => [branch.name, branch.model, Boolean(branch.jsonSchema)])).toEqual([
      ["summary", "default", false],
      ["kpis", "default", true],
      ["risks", "default", true],
    ]);
  });

  it("names every problem with its path", () => {
    const result = PlatformConfigSchema.safeParse({
      ...DEV_CONFIG_INPUT,
      enrichment: {
        templates: { other: { branches: [{ name: "a", model: "m", instruction: "x" }, { name: "a", model: "m", instruction: "y" }] } },
        events: { "order.paid": { template: "missing" } },
      },
    });
    expect(result.success).toBe(false);
    const problems = result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        "enrichment.templates.other.branches.1.name: duplicate branch name \"a\"",
        'enrichment.templates: a "default" template is required (records that name none use it)',
        'enrichment.events.order.paid.template: unknown template "missing"',
      ]),
    );
  });
});
