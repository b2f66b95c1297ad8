// Parser for Upstash Vector's SQL-like metadata filter syntax (upstash.com/docs/vector/features/filtering):
// a tokenizer plus a recursive-descent parser producing a plain AST. AND binds tighter than OR;
// keywords are case-insensitive; fields are paths like `a.b[0]` or `tags[#-1]`.
// Every error is a FilterSyntaxError naming what was not understood and its 1-based position.
import { globToRegExp } from "./glob";

export type Literal = string | number | boolean;
export type PathSegment = { kind: "key"; name: string } | { kind: "index"; index: number; fromEnd: boolean };
export type FieldPath = PathSegment[];
export type ComparisonOperator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type FilterNode =
  | { type: "and" | "or"; left: FilterNode; right: FilterNode }
  | { type: "compare"; field: FieldPath; operator: ComparisonOperator; value: Literal }
  | { type: "glob"; field: FieldPath; pattern: string; negated: boolean }
  | { type: "in"; field: FieldPath; values: Literal[]; negated: boolean }
  | { type: "contains"; field: FieldPath; value: Literal; negated: boolean }
  | { type: "hasField"; field: FieldPath; negated: boolean };

export class FilterSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`Invalid filter: ${reason} at position ${position + 1}`);
    this.name = "FilterSyntaxError";
  }
}

type Token =
  | { kind: "word"; text: string; path: FieldPath; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "number"; value: number; text: string; pos: number }
  | { kind: "operator"; value: ComparisonOperator; pos: number }
  | { kind: "(" | ")" | "," | "end"; pos: number };

const MAX_NESTING = 64;
const OPERATORS: readonly ComparisonOperator[] = ["!=", "<=", ">=", "=", "<", ">"];
const isNameStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isNameChar = (c: string | undefined) => c !== undefined && /[A-Za-z_0-9]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** Splits a filter into tokens; fields and keywords both come out as "word" tokens. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, pos: i++ });
    } else if (c === "'" || c === '"') {
      i = readString(source, i, tokens);
    } else if (isDigit(c) || ((c === "-" || c === ".") && (isDigit(source[i + 1]) || source[i + 1] === "."))) {
      i = readNumber(source, i, tokens);
    } else if (isNameStart(c)) {
      i = readWord(source, i, tokens);
    } else {
      const operator = OPERATORS.find((op) => source.startsWith(op, i));
      if (!operator) throw new FilterSyntaxError(`unexpected character '${c}'`, i);
      tokens.push({ kind: "operator", value: operator, pos: i });
      i += operator.length;
    }
  }
  tokens.push({ kind: "end", pos: source.length });
  return tokens;
}

function readString(source: string, start: number, tokens: Token[]): number {
  const quote = source[start]!;
  let value = "";
  let i = start + 1;
  while (i < source.length && source[i] !== quote) {
    const next = source[i + 1];
    if (source[i] === "\\" && (next === quote || next === "\\")) {
      value += next;
      i += 2;
    } else {
      value += source[i++];
    }
  }
  if (i >= source.length) throw new FilterSyntaxError(`unterminated string literal starting with ${quote}`, start);
  tokens.push({ kind: "string", value, pos: start });
  return i + 1;
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  const match = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(start));
  if (!match) throw new FilterSyntaxError(`malformed number`, start);
  const end = start + match[0].length;
  if (isNameChar(source[end]) || source[end] === ".") {
    throw new FilterSyntaxError(`malformed number '${match[0]}${source[end]}'`, start);
  }
  tokens.push({ kind: "number", value: Number(match[0]), text: match[0], pos: start });
  return end;
}

/** Reads `name(.name | [digits] | [#-digits])*` into path segments. */
function readWord(source: string, start: number, tokens: Token[]): number {
  const path: FieldPath = [];
  let i = start;
  const readName = () => {
    const nameStart = i;
    while (isNameChar(source[i])) i++;
    path.push({ kind: "key", name: source.slice(nameStart, i) });
  };
  readName();
  for (;;) {
    if (source[i] === "." && isNameStart(source[i + 1])) {
      i++;
      readName();
    } else if (source[i] === ".") {
      throw new FilterSyntaxError(`expected a field name after '.' in '${source.slice(start, i + 1)}'`, i + 1);
    } else if (source[i] === "[") {
      const match = /^\[(#-)?(\d+)\]/.exec(source.slice(i));
      if (!match) throw new FilterSyntaxError(`malformed array index (use [0] or [#-1]) in field '${source.slice(start, i)}'`, i);
      const index = Number(match[2]);
      if (match[1] && index === 0) throw new FilterSyntaxError(`array index [#-0] is out of range (use [#-1] for the last element)`, i);
      path.push(match[1] ? { kind: "index", index: -index, fromEnd: true } : { kind: "index", index, fromEnd: false });
      i += match[0].length;
    } else {
      break;
    }
  }
  tokens.push({ kind: "word", text: source.slice(start, i), path, pos: start });
  return i;
}

const describeToken = (token: Token): string => {
  switch (token.kind) {
    case "word":
      return `'${token.text}'`;
    case "string":
      return `string '${token.value}'`;
    case "number":
      return `number ${token.text}`;
    case "operator":
      return `'${token.value}'`;
    case "end":
      return "end of filter";
    default:
      return `'${token.kind}'`;
  }
};

/** Parses a filter string into an AST; returns undefined for an empty (match-all) filter. */
export function parseFilter(source: string): FilterNode | undefined {
  if (source.trim() === "") return undefined;
  return new Parser(tokenize(source)).parse();
}

class Parser {
  private at = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== "end") {
      const hint = rest.kind === ")" ? "unbalanced ')'" : `expected AND, OR or end of filter, found ${describeToken(rest)}`;
      throw new FilterSyntaxError(hint, rest.pos);
    }
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.at++;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === "word" && token.path.length === 1 && token.text.toUpperCase() === keyword;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), "OR")) {
      this.next();
      left = { type: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseOperand();
    while (this.isKeyword(this.peek(), "AND")) {
      this.next();
      left = { type: "and", left, right: this.parseOperand() };
    }
    return left;
  }

  private parseOperand(): FilterNode {
    const token = this.peek();
    if (token.kind === "(") {
      if (++this.depth > MAX_NESTING) throw new FilterSyntaxError(`parentheses nested deeper than ${MAX_NESTING}`, token.pos);
      this.next();
      const inner = this.parseOr();
      const close = this.next();
      if (close.kind !== ")") throw new FilterSyntaxError(`expected ')' to close '(' at position ${token.pos + 1}, found ${describeToken(close)}`, close.pos);
      this.depth--;
      return inner;
    }
    if (this.isKeyword(token, "HAS") && (this.isKeyword(this.peek(1), "FIELD") || this.isKeyword(this.peek(1), "NOT"))) {
      return this.parseHasField();
    }
    return this.parseCondition();
  }

  private parseHasField(): FilterNode {
    this.next();
    const negated = this.isKeyword(this.peek(), "NOT");
    if (negated) this.next();
    const keyword = this.next();
    if (!this.isKeyword(keyword, "FIELD")) throw new FilterSyntaxError(`expected FIELD after HAS${negated ? " NOT" : ""}, found ${describeToken(keyword)}`, keyword.pos);
    return { type: "hasField", field: this.parseField("after HAS FIELD").path, negated };
  }

  private parseField(context: string): { path: FieldPath; text: string } {
    const token = this.next();
    if (token.kind !== "word") throw new FilterSyntaxError(`expected a field name ${context}, found ${describeToken(token)}`, token.pos);
    return { path: token.path, text: token.text };
  }

  private parseCondition(): FilterNode {
    const { path: field, text } = this.parseField("or '('");
    const token = this.next();
    if (token.kind === "operator") {
      const literalPos = this.peek().pos;
      const value = this.parseLiteral(`after '${token.value}'`);
      if (token.value !== "=" && token.value !== "!=" && typeof value !== "number") {
        throw new FilterSyntaxError(`operator '${token.value}' needs a number, found ${JSON.stringify(value)}`, literalPos);
      }
      return { type: "compare", field, operator: token.value, value };
    }
    const negated = this.isKeyword(token, "NOT");
    const keyword = negated ? this.next() : token;
    if (this.isKeyword(keyword, "GLOB")) return { type: "glob", field, pattern: this.parseGlobPattern(), negated };
    if (this.isKeyword(keyword, "IN")) return { type: "in", field, values: this.parseList(), negated };
    if (this.isKeyword(keyword, "CONTAINS")) return { type: "contains", field, value: this.parseLiteral("after CONTAINS"), negated };
    const expected = negated
      ? `GLOB, IN or CONTAINS after '${text} NOT'`
      : `an operator (=, !=, <, <=, >, >=, GLOB, NOT GLOB, IN, NOT IN, CONTAINS, NOT CONTAINS) after '${text}'`;
    throw new FilterSyntaxError(`expected ${expected}, found ${describeToken(keyword)}`, keyword.pos);
  }

  private parseLiteral(context: string): Literal {
    const token = this.next();
    if (token.kind === "string" || token.kind === "number") return token.value;
    if (this.isKeyword(token, "TRUE")) return true;
    if (this.isKeyword(token, "FALSE")) return false;
    throw new FilterSyntaxError(`expected a string, number or boolean ${context}, found ${describeToken(token)}`, token.pos);
  }

  private parseGlobPattern(): string {
    const token = this.next();
    if (token.kind !== "string") throw new FilterSyntaxError(`GLOB needs a quoted pattern, found ${describeToken(token)}`, token.pos);
    try {
      globToRegExp(token.value);
    } catch (error) {
      throw new FilterSyntaxError(`bad GLOB pattern '${token.value}': ${error instanceof Error ? error.message : String(error)}`, token.pos);
    }
    return token.value;
  }

  private parseList(): Literal[] {
    const open = this.next();
    if (open.kind !== "(") throw new FilterSyntaxError(`expected '(' to start the IN list, found ${describeToken(open)}`, open.pos);
    const values = [this.parseLiteral("in the IN list")];
    for (;;) {
      const token = this.next();
      if (token.kind === ")") return values;
      if (token.kind !== ",") throw new FilterSyntaxError(`expected ',' or ')' in the IN list, found ${describeToken(token)}`, token.pos);
      values.push(this.parseLiteral("in the IN list"));
    }
  }
}
