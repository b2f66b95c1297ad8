import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent, startSpan } from "../../shared/trace";

describe("traceparent", () => {
  it("parses a valid header and round-trips it", () => {
    const header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const context = parseTraceparent(header);
    expect(context).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true });
    expect(formatTraceparent(context!)).toBe(header);
  });

  it.each([
    ["garbage"],
    ["00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"],
    ["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
    ["00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"],
  ])("rejects %s", (header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("continues the parent's trace with a new span, or starts a fresh trace", () => {
    const parent = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")!;
    const child = startSpan(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.spanId).not.toBe(parent.spanId);
    expect(child.sampled).toBe(false);
    const fresh = startSpan();
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.traceId).not.toBe(startSpan().traceId);
  });
});
