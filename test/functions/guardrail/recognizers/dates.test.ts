// DATE_TIME: dates of birth reported, plain dates scored below the threshold.
import { describe, expect, it } from "vitest";
import { findings, found } from "../helpers";

describe("DATE_TIME", () => {
  it("reports dates of birth", () => {
    expect(found("She was born on 2/8/1935.")).toEqual(["DATE_TIME:2/8/1935"]);
    expect(found("DOB: 1990-03-12")).toEqual(["DATE_TIME:1990-03-12"]);
    expect(found("date of birth 12 March 1990")).toEqual(["DATE_TIME:12 March 1990"]);
  });
  it("scores plain dates below the reporting threshold and rejects impossible ones", () => {
    expect(found("The meeting is on 2/8/2024.")).toEqual([]);
    expect(findings("born 31/31/1990")).toEqual([]);
  });
});
