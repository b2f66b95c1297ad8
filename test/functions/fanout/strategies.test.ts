// Fan-in helpers: votes over normalised answers, rubric and schema scores, judge verdicts, JSON merge.
import { describe, expect, it } from "vitest";
import { bestScored, judgeScore, majorityOf, mergeJsonAnswers, normaliseAnswer, rubricScore, tallyVotes } from "../../../functions/fanout/strategies";

describe("quorum votes", () => {
  it("counts answers that differ only in case, spacing and final punctuation as one", () => {
    expect(normaliseAnswer("  Paris.\n")).toBe("paris");
    const [top] = tallyVotes([
      { task: "b1", text: "Paris" },
      { task: "b2", text: "London" },
      { task: "b3", text: "paris. " },
    ]);
    expect(top).toEqual({ answer: "paris", votes: 2, tasks: ["b1", "b3"] });
  });

  it("needs a strict majority by default", () => {
    expect(majorityOf(3)).toBe(2);
    expect(majorityOf(4)).toBe(3);
  });
});

describe("scores", () => {
  it("scores by rubric phrases and by JSON schema conformance", () => {
    expect(rubricScore("It is Paris, in France", { mustInclude: ["paris", "france"], mustNotInclude: ["london"] })).toBe(2);
    expect(rubricScore("London or Paris", { mustInclude: ["paris"], mustNotInclude: ["london"] })).toBe(0);
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    expect(rubricScore('```json\n{"city":"Paris"}\n```', { jsonSchema: schema })).toBe(1);
    expect(rubricScore('{"town":"Paris"}', { jsonSchema: schema })).toBe(0);
  });

  it("reads a judge's verdict and refuses anything else", () => {
    expect(judgeScore('{"score": 7.5, "reason": "ok"}')).toBe(7.5);
    expect(judgeScore('{"score": 11}')).toBeUndefined();
    expect(judgeScore("seven")).toBeUndefined();
  });

  it("picks the highest score, the earliest on a tie", () => {
    expect(bestScored([{ id: "a", score: 3 }, { id: "b", score: 5 }, { id: "c", score: 5 }])?.id).toBe("b");
  });
});

describe("json merge", () => {
  it("deep-merges objects and names the first answer that is not an object", () => {
    expect(mergeJsonAnswers([{ task: "a", text: '{"x":{"y":1},"l":[1]}' }, { task: "b", text: '{"x":{"z":2},"l":[2]}' }])).toEqual({ ok: true, value: { x: { y: 1, z: 2 }, l: [1, 2] } });
    expect(mergeJsonAnswers([{ task: "a", text: "{}" }, { task: "b", text: "[1]" }])).toEqual({ ok: false, task: "b" });
  });
});
