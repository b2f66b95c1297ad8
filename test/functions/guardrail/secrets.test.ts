// Secrets: provider keys by prefix, JWTs, PEM private keys, and high-entropy values after
// secret-ish words, with the near-misses that must not fire.
import { describe, expect, it } from "vitest";
import { fakeKeys, randomChars } from "./fakes";
import { findings, found } from "./helpers";

describe("provider keys", () => {
  it.each([
    ["OPENAI_API_KEY", fakeKeys.openaiProject],
    ["ANTHROPIC_API_KEY", fakeKeys.anthropic],
    ["AWS_ACCESS_KEY", fakeKeys.aws],
    ["GITHUB_TOKEN", fakeKeys.github],
    ["SLACK_TOKEN", fakeKeys.slack],
    ["STRIPE_KEY", fakeKeys.stripe],
    ["GOOGLE_API_KEY", fakeKeys.google],
    ["JWT", fakeKeys.jwt],
    ["PRIVATE_KEY", fakeKeys.privateKey],
  ])("finds %s with its exact span", (type, key) => {
    expect(found(`config: ${key} end`)).toEqual([`${type}:${key}`]);
    expect(findings(key)[0]!.check).toBe("secret");
  });

  it("tells Anthropic keys from OpenAI keys although both start with sk-", () => {
    expect(findings(fakeKeys.anthropic).map((f) => f.type)).toEqual(["ANTHROPIC_API_KEY"]);
  });

  it("does not fire on look-alikes", () => {
    expect(found("the sk-learn package, task-list, AKIA, ghp_short, eyJhbGciOi.xyz")).toEqual([]);
    // A JWT-shaped value whose header is not JSON with "alg".
    expect(found(`eyJ${randomChars(20)}.eyJ${randomChars(20)}.${randomChars(20)}`)).toEqual([]);
  });

  it("finds an unterminated private key block too", () => {
    const truncated = fakeKeys.privateKey.slice(0, 120);
    expect(findings(truncated).map((f) => f.type)).toEqual(["PRIVATE_KEY"]);
  });
});

describe("GENERIC_SECRET", () => {
  it("reports only the value after a secret word", () => {
    const value = randomChars(32, 11);
    expect(found(`api_key = "${value}"`)).toEqual([`GENERIC_SECRET:${value}`]);
    expect(found(`Authorization: Bearer ${value}`)).toEqual([`GENERIC_SECRET:${value}`]);
  });
  it("accepts a short password after '=' or 'is', if it is not a plain word", () => {
    expect(found("password=hunter2!")).toEqual(["GENERIC_SECRET:hunter2!"]);
    expect(found("my password is Winter2024")).toEqual(["GENERIC_SECRET:Winter2024"]);
    expect(found("my password is correct")).toEqual([]);
  });
  it("ignores low-entropy values, placeholders and ordinary prose about tokens", () => {
    expect(found("token: aaaaaaaaaaaaaaaaaaaaaaaa")).toEqual([]);
    expect(found("api_key=${OPENAI_API_KEY} or process.env.API_KEY")).toEqual([]);
    expect(found("the token limit is 4096 and tokens are counted")).toEqual([]);
  });
});
