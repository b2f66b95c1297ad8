// A policy's word lists (deny list, topics, competitors) and profanity.
import { describe, expect, it } from "vitest";
import { findings, found, policyFrom } from "./helpers";

describe("deny list, topics, competitors", () => {
  const policy = policyFrom({ denyList: ["Project Titan", "c++"], topics: { medical: ["diagnosis", "prescription"] }, competitors: ["Acme Corp"] });

  it("matches deny-list terms as whole words, case-insensitively, across whitespace", () => {
    expect(found("news about project   titan leaked", { policy })).toEqual(["DENY_LIST:project   titan"]);
    expect(found("we write C++ here", { policy })).toEqual(["DENY_LIST:C++"]);
    expect(found("projectTitanic", { policy })).toEqual([]);
  });
  it("scores a topic higher the more of its keywords appear", () => {
    expect(findings("what is the diagnosis", { policy }).map((f) => `${f.type}/${f.rule}/${f.score}`)).toEqual(["TOPIC/medical/0.75"]);
    expect(findings("diagnosis and prescription", { policy }).map((f) => f.score)).toEqual([1, 1]);
  });
  it("finds competitor names", () => {
    expect(found("Is acme corp cheaper?", { policy, direction: "output" })).toEqual(["COMPETITOR:acme corp"]);
  });
});

describe("profanity", () => {
  it("finds listed words, stretched or in leetspeak", () => {
    expect(found("well fuuuck that", { direction: "output" })).toEqual(["PROFANITY:fuuuck"]);
    expect(found("sh1t happens", { direction: "output" })).toEqual(["PROFANITY:sh1t"]);
  });
  it("does not flag whitelisted look-alikes or place names", () => {
    expect(found("Scunthorpe's analog signal reached Uranus", { direction: "output" })).toEqual([]);
  });
  it("can be switched off per policy", () => {
    expect(found("well fuck that", { policy: policyFrom({ profanity: false }), direction: "output" })).toEqual([]);
  });
});
