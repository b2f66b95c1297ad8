// Evaluates parsed metadata filters: compiles the AST once per request into a predicate over metadata.
// Value operators follow SQL NULL logic: a missing field, or one of the wrong type, never matches
// (not even `!=`, `NOT IN`, `NOT GLOB`, `NOT CONTAINS`); use HAS FIELD / HAS NOT FIELD for presence.
// Boolean fields also equal the documented boolean literals 1 and 0.
import { type ComparisonOperator, type FieldPath, type FilterNode, type Literal, parseFilter } from "./filter-parser";
import { globToRegExp } from "./glob";

export type Metadata = Record<string, unknown>;
export type MetadataPredicate = (metadata: Metadata | undefined) => boolean;

/** Parses and compiles a filter; undefined means "no filter". Throws FilterSyntaxError on bad input. */
export function compileFilter(source: string | undefined): MetadataPredicate | undefined {
  const ast = source === undefined ? undefined : parseFilter(source);
  return ast ? compileNode(ast) : undefined;
}

export const isPlainObject = (value: unknown): value is Metadata =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The value at a path, or undefined when any step is missing or of the wrong kind. */
export function resolvePath(metadata: Metadata | undefined, path: FieldPath): unknown {
  let current: unknown = metadata;
  for (const segment of path) {
    if (segment.kind === "key") {
      if (!isPlainObject(current) || !Object.hasOwn(current, segment.name)) return undefined;
      current = current[segment.name];
    } else {
      if (!Array.isArray(current)) return undefined;
      const index = segment.fromEnd ? current.length + segment.index : segment.index;
      if (index < 0 || index >= current.length) return undefined;
      current = current[index];
    }
  }
  return current;
}

const isScalar = (value: unknown): value is Literal =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean";

function equals(value: unknown, literal: Literal): boolean {
  if (typeof value === "boolean" && typeof literal === "number") return (literal === 1 || literal === 0) && value === (literal === 1);
  return value === literal;
}

function compileNode(node: FilterNode): MetadataPredicate {
  switch (node.type) {
    case "and": {
      const left = compileNode(node.left);
      const right = compileNode(node.right);
      return (m) => left(m) && right(m);
    }
    case "or": {
      const left = compileNode(node.left);
      const right = compileNode(node.right);
      return (m) => left(m) || right(m);
    }
    case "hasField": {
      const { field, negated } = node;
      return (m) => (resolvePath(m, field) !== undefined) !== negated;
    }
    case "compare":
      return compileComparison(node.field, node.operator, node.value);
    case "glob": {
      const { field, negated } = node;
      const regex = globToRegExp(node.pattern);
      return (m) => {
        const value = resolvePath(m, field);
        return typeof value === "string" && regex.test(value) !== negated;
      };
    }
    case "in": {
      const { field, values, negated } = node;
      return (m) => {
        const value = resolvePath(m, field);
        return isScalar(value) && values.some((literal) => equals(value, literal)) !== negated;
      };
    }
    case "contains": {
      const { field, value: literal, negated } = node;
      return (m) => {
        const value = resolvePath(m, field);
        return Array.isArray(value) && value.some((element) => equals(element, literal)) !== negated;
      };
    }
  }
}

function compileComparison(field: FieldPath, operator: ComparisonOperator, literal: Literal): MetadataPredicate {
  if (operator === "=") return (m) => equals(resolvePath(m, field), literal);
  if (operator === "!=") {
    return (m) => {
      const value = resolvePath(m, field);
      return isScalar(value) && !equals(value, literal);
    };
  }
  if (typeof literal !== "number") throw new Error(`operator ${operator} needs a number`); // the parser guarantees this
  const bound = literal;
  const test =
    operator === "<" ? (v: number) => v < bound
    : operator === "<=" ? (v: number) => v <= bound
    : operator === ">" ? (v: number) => v > bound
    : (v: number) => v >= bound;
  return (m) => {
    const value = resolvePath(m, field);
    return typeof value === "number" && test(value);
  };
}
