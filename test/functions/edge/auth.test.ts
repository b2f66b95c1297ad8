import { describe, expect, it } from "vitest";
import { constantTimeEqual, parseApiKeys, tenantForKey } from "../../../functions/edge/auth";

describe("API keys", () => {
  it("parses key=tenant pairs, with bare keys in tenant default", () => {
    expect(parseApiKeys(" sk-a=acme, sk-b ,, sk-c=")).toEqual([
      { key: "sk-a", tenant: "acme" },
      { key: "sk-b", tenant: "default" },
      { key: "sk-c", tenant: "default" },
    ]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });

  it("maps a presented key to its tenant and refuses near misses", () => {
    const keys = parseApiKeys("sk-a=acme,sk-b=globex");
    expect(tenantForKey("sk-b", keys)).toBe("globex");
    expect(tenantForKey("sk-b ", keys)).toBeUndefined();
    expect(tenantForKey("sk-", keys)).toBeUndefined();
    expect(tenantForKey("", keys)).toBeUndefined();
  });

  it("compares equal strings as equal and any difference as different", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });
});
