// The hit verifier on query pairs: near-misses that embed close together are rejected by the check
// that catches them; paraphrases pass; every check can be switched off.
import { CacheVerifierSchema } from "@llm-edge/shared";
import { describe, expect, it } from "vitest";
import { verifyCandidate } from "../../../functions/cache/verify";

const defaults = CacheVerifierSchema.parse({});

describe("verifyCandidate", () => {
  it.each([
    ["numbers", "How do I convert 5 km to miles?", "How do I convert 50 km to miles?"],
    ["numbers", "Where do I get the latest 1Z0-567 materials?", "Where do I get the latest 1Z0-508 materials?"],
    ["numbers", "What happened in the third century?", "What happened in the 4th century?"],
    ["negation", "Is coffee good for your health?", "Is coffee not good for your health?"],
    ["negation", "Why does my code compile?", "Why doesn't my code compile?"],
    ["entities", "What type of government does Turkey have?", "What type of government does Nepal have?"],
    ["entities", "What are the functions of preprocessor directives in C++?", "What are the functions of preprocessor directives in C?"],
    ["entities", "Why do Poles dislike Russians?", "Why do Russians dislike Poles?"],
    ["entities", "Are elevators safe?", "Are elevators in the US safe?"],
    ["persons", "What is your favourite book?", "What is my favourite book?"],
    ["rare_words", "How do you treat acne?", "How do you treat acne scars?"],
  ])("rejects a pair that differs in %s: %s / %s", (check, a, b) => {
    expect(verifyCandidate(defaults, a, b)).toMatchObject({ ok: false, check });
    expect(verifyCandidate(defaults, b, a)).toMatchObject({ ok: false, check });
  });

  it.each([
    ["How do I reset my password?", "How can I reset my password?"],
    ["What is the best way to learn Python?", "What's the best way to learn python?"],
    ["How do I convert five km to miles?", "How do I convert 5 km to miles?"],
    ["What was the cause of the first World War?", "What caused the 1st World War?"],
    ["WHAT IS THE CAPITAL OF FRANCE", "What is the capital of France?"],
    ["What Is The Best Way To Lose Weight?", "What is the best way to lose weight?"],
  ])("accepts a paraphrase: %s / %s", (a, b) => {
    expect(verifyCandidate(defaults, a, b)).toEqual({ ok: true });
  });

  it("lets each check be switched off, and everything with enabled: false", () => {
    const pair = ["How do I convert 5 km to miles?", "How do I convert 50 km to miles?"] as const;
    expect(verifyCandidate({ ...defaults, numbers: false }, ...pair)).toEqual({ ok: true });
    expect(verifyCandidate({ ...defaults, enabled: false }, "Is tea good?", "Is tea not good?")).toEqual({ ok: true });
    expect(verifyCandidate({ ...defaults, negation: false }, "Is tea good?", "Is tea not good?")).toEqual({ ok: true });
  });

  it("the cross-check rejects queries sharing too little of their weighted content", () => {
    const settings = { ...defaults, rareWordIdf: 0, minWeightedOverlap: 0.8 };
    expect(verifyCandidate(settings, "How do I cook rice?", "How do I cook rice in a pressure cooker?")).toMatchObject({ ok: false, check: "overlap" });
    expect(verifyCandidate({ ...settings, minWeightedOverlap: 0 }, "How do I cook rice?", "How do I cook rice in a pressure cooker?")).toEqual({ ok: true });
  });
});
