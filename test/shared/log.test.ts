import { describe, expect, it } from "vitest";
import { createLogger } from "../../shared/log";

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ worker: "edge" }, (line) => lines.push(line)) };
}

describe("JSON logger", () => {
  it("writes one JSON object per line with level, message, base and extra fields", () => {
    const { lines, logger } = capture();
    logger.with({ traceId: "abc" }).info("request done", { status: 200 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", message: "request done", worker: "edge", traceId: "abc", status: 200 });
  });

  it("masks secret-looking fields and keys inside strings, at any depth", () => {
    const { lines, logger } = capture();
    logger.error("upstream failed", {
      headers: { Authorization: "Bearer sk-live-abcdef123456", "x-api-key": "sk-ant-abcdef123456" },
      detail: "called with Bearer sk-live-abcdef123456 and sk-proj-XYZ123456789",
      error: new Error("bad key sk-test-1234567890"),
    });
    const line = lines[0]!;
    expect(line).not.toContain("sk-live-abcdef123456");
    expect(line).not.toContain("sk-ant-abcdef123456");
    expect(line).not.toContain("sk-proj-XYZ123456789");
    expect(line).not.toContain("sk-test-1234567890");
    expect(JSON.parse(line).headers.Authorization).toBe("[REDACTED]");
  });

  it("keeps token counts and other harmless fields readable", () => {
    const { lines, logger } = capture();
    logger.info("stream finished", { usage: { prompt_tokens: 12, completion_tokens: 30 }, access_token: "abc", refresh_token: "def" });
    const line = JSON.parse(lines[0]!);
    expect(line.usage).toEqual({ prompt_tokens: 12, completion_tokens: 30 });
    expect(line.access_token).toBe("[REDACTED]");
    expect(line.refresh_token).toBe("[REDACTED]");
  });

  it("writes only lines at its level and above; atLevel and with keep base fields and level", () => {
    const lines: string[] = [];
    const logger = createLogger({ worker: "edge" }, (line) => lines.push(line), "warn");
    logger.debug("d");
    logger.info("i");
    logger.with({ traceId: "abc" }).warn("w");
    logger.error("e");
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["w", "e"]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ worker: "edge", traceId: "abc" });
    lines.length = 0;
    const verbose = logger.atLevel("debug").with({ traceId: "def" });
    verbose.debug("d");
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ level: "debug", message: "d", worker: "edge", traceId: "def" }]);
  });
});
