// The metadata filter in isolation: parser (AST shape, precedence, quoting, paths, errors with
// positions), glob matching, and evaluation against the metadata example of Upstash's docs.
import { describe, expect, it } from "vitest";
import { compileFilter, type Metadata } from "../../../dev/vector-server/filter";
import { type FilterNode, FilterSyntaxError, parseFilter } from "../../../dev/vector-server/filter-parser";
import { globToRegExp } from "../../../dev/vector-server/glob";

const key = (name: string) => ({ kind: "key", name }) as const;
const eq = (name: string, value: string | number | boolean): FilterNode => ({ type: "compare", field: [key(name)], operator: "=", value });

function syntaxError(source: string): FilterSyntaxError {
  try {
    parseFilter(source);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected '${source}' to be rejected`);
}

describe("filter parser", () => {
  it("treats an empty or blank filter as no filter", () => {
    expect(parseFilter("")).toBeUndefined();
    expect(parseFilter("   ")).toBeUndefined();
  });

  it("binds AND tighter than OR, on either side", () => {
    expect(parseFilter("a = 1 OR b = 2 AND c = 3")).toEqual({
      type: "or",
      left: eq("a", 1),
      right: { type: "and", left: eq("b", 2), right: eq("c", 3) },
    });
    expect(parseFilter("a = 1 AND b = 2 OR c = 3")).toEqual({
      type: "or",
      left: { type: "and", left: eq("a", 1), right: eq("b", 2) },
      right: eq("c", 3),
    });
  });

  it("lets parentheses override precedence and nest", () => {
    expect(parseFilter("a = 1 AND (b = 2 OR (c = 3))")).toEqual({
      type: "and",
      left: eq("a", 1),
      right: { type: "or", left: eq("b", 2), right: eq("c", 3) },
    });
    expect(parseFilter("((((a = 1))))")).toEqual(eq("a", 1));
  });

  it("chains operators of equal precedence left to right", () => {
    expect(parseFilter("a = 1 or b = 2 or c = 3")).toEqual({
      type: "or",
      left: { type: "or", left: eq("a", 1), right: eq("b", 2) },
      right: eq("c", 3),
    });
  });

  it("parses nested fields and array indexes from the front and the back", () => {
    expect(parseFilter("geography.coordinates.latitude >= 35.5")).toEqual({
      type: "compare",
      field: [key("geography"), key("coordinates"), key("latitude")],
      operator: ">=",
      value: 35.5,
    });
    expect(parseFilter("economy.major_industries[0] = 'Tourism'")).toMatchObject({
      field: [key("economy"), key("major_industries"), { kind: "index", index: 0, fromEnd: false }],
    });
    expect(parseFilter("tags[#-1] = 'x'")).toMatchObject({ field: [key("tags"), { kind: "index", index: -1, fromEnd: true }] });
    expect(parseFilter("a[1][#-2].b = 1")).toMatchObject({
      field: [key("a"), { kind: "index", index: 1 }, { kind: "index", index: -2, fromEnd: true }, key("b")],
    });
  });

  it("reads single- and double-quoted strings, with escapes and the other quote inside", () => {
    expect(parseFilter("city = 'Istanbul'")).toEqual(eq("city", "Istanbul"));
    expect(parseFilter('city = "Istanbul"')).toEqual(eq("city", "Istanbul"));
    expect(parseFilter(`name = "it's"`)).toEqual(eq("name", "it's"));
    expect(parseFilter(`name = 'say "hi"'`)).toEqual(eq("name", 'say "hi"'));
    expect(parseFilter(String.raw`name = 'it\'s'`)).toEqual(eq("name", "it's"));
    expect(parseFilter("name = 'AND OR ( )'")).toEqual(eq("name", "AND OR ( )"));
  });

  it("reads numbers (negative, decimal, exponent) and case-insensitive booleans", () => {
    expect(parseFilter("a = -12")).toEqual(eq("a", -12));
    expect(parseFilter("a=0.25")).toEqual(eq("a", 0.25));
    expect(parseFilter("a = 1.5e3")).toEqual(eq("a", 1500));
    expect(parseFilter("a = TRUE")).toEqual(eq("a", true));
    expect(parseFilter("a != false")).toEqual({ type: "compare", field: [key("a")], operator: "!=", value: false });
  });

  it("parses every operator, keywords in any case", () => {
    const field = [key("f")];
    expect(parseFilter("f glob 'a*'")).toEqual({ type: "glob", field, pattern: "a*", negated: false });
    expect(parseFilter("f Not Glob 'a*'")).toEqual({ type: "glob", field, pattern: "a*", negated: true });
    expect(parseFilter("f IN ('a', 2, true)")).toEqual({ type: "in", field, values: ["a", 2, true], negated: false });
    expect(parseFilter("f not in (1)")).toEqual({ type: "in", field, values: [1], negated: true });
    expect(parseFilter("f CONTAINS 'x'")).toEqual({ type: "contains", field, value: "x", negated: false });
    expect(parseFilter("f NOT CONTAINS 3")).toEqual({ type: "contains", field, value: 3, negated: true });
    expect(parseFilter("HAS FIELD f")).toEqual({ type: "hasField", field, negated: false });
    expect(parseFilter("has not field f")).toEqual({ type: "hasField", field, negated: true });
    for (const operator of ["<", "<=", ">", ">="] as const) {
      expect(parseFilter(`f ${operator} 1`)).toEqual({ type: "compare", field, operator, value: 1 });
    }
  });

  it("accepts field names that look like keywords where a field is expected", () => {
    expect(parseFilter("field = 1 AND has = 2")).toEqual({ type: "and", left: eq("field", 1), right: eq("has", 2) });
  });

  it.each([
    ["city = 'Istanbul", "unterminated string literal starting with '", 8],
    ["city LIKE 'x'", "expected an operator (=, !=, <, <=, >, >=, GLOB, NOT GLOB, IN, NOT IN, CONTAINS, NOT CONTAINS) after 'city', found 'LIKE'", 6],
    ["(a = 1", "expected ')' to close '(' at position 1, found end of filter", 7],
    ["a = 1)", "unbalanced ')'", 6],
    ["a = 1 AND", "expected a field name or '(', found end of filter", 10],
    ["a = 1 b = 2", "expected AND, OR or end of filter, found 'b'", 7],
    ["a < 'x'", `operator '<' needs a number, found "x"`, 5],
    ["a GLOB 5", "GLOB needs a quoted pattern, found number 5", 8],
    ["a GLOB '[abc'", "bad GLOB pattern '[abc': '[' has no closing ']'", 8],
    ["a GLOB '[z-a]'", "bad GLOB pattern '[z-a]': range 'z-a' is reversed", 8],
    ["a IN ()", "expected a string, number or boolean in the IN list, found ')'", 7],
    ["a IN 'x'", "expected '(' to start the IN list, found string 'x'", 6],
    ["a IN (1 2)", "expected ',' or ')' in the IN list, found number 2", 9],
    ["a NOT = 1", "expected GLOB, IN or CONTAINS after 'a NOT', found '='", 7],
    ["a[x] = 1", "malformed array index (use [0] or [#-1]) in field 'a'", 2],
    ["a[#-0] = 1", "array index [#-0] is out of range (use [#-1] for the last element)", 2],
    ["a. = 1", "expected a field name after '.' in 'a.'", 3],
    ["a = @", "unexpected character '@'", 5],
    ["a = 12abc", "malformed number '12a'", 5],
    ["HAS FIELD 'x'", "expected a field name after HAS FIELD, found string 'x'", 11],
    ["a = ", "expected a string, number or boolean after '=', found end of filter", 5],
  ])("rejects %s with a message naming the problem and its position", (source, reason, position) => {
    const error = syntaxError(source);
    expect(error.reason).toBe(reason);
    expect(error.position + 1).toBe(position);
    expect(error.message).toBe(`Invalid filter: ${reason} at position ${position}`);
  });

  it("refuses absurdly deep nesting instead of overflowing the stack", () => {
    expect(syntaxError(`${"(".repeat(100)}a = 1${")".repeat(100)}`).reason).toMatch(/nested deeper than/);
  });
});

describe("glob", () => {
  const matches = (pattern: string, text: string) => globToRegExp(pattern).test(text);

  it("supports * ? and character classes, case-sensitively, anchored at both ends", () => {
    expect(matches("Ist*", "Istanbul")).toBe(true);
    expect(matches("ist*", "Istanbul")).toBe(false);
    expect(matches("*bul", "Istanbul")).toBe(true);
    expect(matches("*tan*", "Istanbul")).toBe(true);
    expect(matches("tan", "Istanbul")).toBe(false);
    expect(matches("?stanbul", "Istanbul")).toBe(true);
    expect(matches("?stanbu", "Istanbul")).toBe(false);
    expect(matches("[IJ]stanbul", "Istanbul")).toBe(true);
    expect(matches("[a-z]stanbul", "Istanbul")).toBe(false);
    expect(matches("[^a-z]stanbul", "Istanbul")).toBe(true);
    expect(matches("[!I]stanbul", "Istanbul")).toBe(false);
    expect(matches("?[sz]*[^m-z]", "Istanbul")).toBe(true);
  });

  it("treats regex metacharacters literally and ']' first in a class as a member", () => {
    expect(matches("a.b", "a.b")).toBe(true);
    expect(matches("a.b", "axb")).toBe(false);
    expect(matches("(x)+$", "(x)+$")).toBe(true);
    expect(matches("[]]", "]")).toBe(true);
    expect(matches("[^]]", "]")).toBe(false);
    expect(matches("[a-]", "-")).toBe(true);
    expect(matches("*", "multi\nline")).toBe(true);
  });
});

describe("filter evaluation", () => {
  const istanbul: Metadata = {
    city: "Istanbul",
    country: "Turkey",
    is_capital: false,
    population: 15460000,
    geography: { continent: "Asia", coordinates: { latitude: 41.0082, longitude: 28.9784 } },
    economy: { currency: "TRY", major_industries: ["Tourism", "Textiles", "Finance"] },
  };
  const test = (filter: string, metadata: Metadata = istanbul) => compileFilter(filter)!(metadata);

  it.each([
    ["country = 'Turkey' AND population = 15460000 AND is_capital = false", true],
    ["country != 'Germany' AND population != 12500000 AND is_capital != true", true],
    ["country = 'Germany'", false],
    ["population < 20000000 OR geography.coordinates.longitude < 30.0", true],
    ["population <= 15460000 AND population >= 15460000", true],
    ["population > 15460000", false],
    ["geography.coordinates.latitude > 39.5 AND geography.continent = 'Asia'", true],
    ["city GLOB '?[sz]*[^m-z]'", true],
    ["city NOT GLOB 'A*'", true],
    ["city NOT GLOB 'I*'", false],
    ["country IN ('Germany', 'Turkey', 'France')", true],
    ["country IN ('Germany', 'France')", false],
    ["economy.currency NOT IN ('USD', 'EUR')", true],
    ["economy.currency NOT IN ('TRY')", false],
    ["economy.major_industries CONTAINS 'Tourism'", true],
    ["economy.major_industries CONTAINS 'Steel'", false],
    ["economy.major_industries NOT CONTAINS 'Steel Production'", true],
    ["economy.major_industries[0] = 'Tourism'", true],
    ["economy.major_industries[#-1] = 'Finance'", true],
    ["economy.major_industries[#-3] = 'Tourism' AND economy.major_industries[2] = 'Finance'", true],
    ["economy.major_industries[3] = 'Finance'", false],
    ["HAS FIELD geography.coordinates", true],
    ["HAS NOT FIELD geography.coordinates.longitude", false],
    ["HAS NOT FIELD geography.altitude", true],
    ["is_capital = 0 AND is_capital != 1", true],
    ["country = 'Turkey' AND population > 99999999 OR is_capital = false", true],
    ["country = 'Turkey' AND (population > 99999999 OR is_capital = true)", false],
  ])("%s → %s", (filter, expected) => {
    expect(test(filter)).toBe(expected);
  });

  it("never matches a missing or wrongly-typed field with a value operator, not even negated ones", () => {
    for (const filter of ["missing != 1", "missing NOT IN (1)", "missing NOT GLOB 'x'", "missing NOT CONTAINS 1", "city > 1", "population GLOB '1*'", "city CONTAINS 'I'", "geography = 'Asia'"]) {
      expect(test(filter), filter).toBe(false);
    }
    expect(compileFilter("HAS FIELD city")!(undefined)).toBe(false);
    expect(compileFilter("HAS NOT FIELD city")!(undefined)).toBe(true);
  });

  it("does not confuse strings with numbers", () => {
    expect(test("population = '15460000'")).toBe(false);
    expect(test("code = 7", { code: "7" })).toBe(false);
    expect(test("code = '7'", { code: "7" })).toBe(true);
  });
});
