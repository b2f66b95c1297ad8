// Deterministic JSON from a JSON Schema (structured outputs, tool arguments; a schema's first
// `examples` entry when it has one, e.g. the coordinator's example plan) and, for the
// `invalidOutput` fault, a value that deliberately does NOT conform to the schema.
import type { SeededRandom } from "./content";

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberField(schema: Schema, key: string): number | undefined {
  const value = schema[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function resolveRef(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#")) return schema;
  let target: unknown = root;
  for (const part of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~");
    target = isSchema(target) ? target[key] : undefined;
  }
  return isSchema(target) ? { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$ref")) } : {};
}

function mergeAllOf(schema: Schema, root: Schema): Schema {
  const parts = Array.isArray(schema.allOf) ? schema.allOf.filter(isSchema).map((part) => resolveRef(part, root)) : [];
  const merged: Schema = { ...schema };
  delete merged.allOf;
  const properties: Schema = isSchema(schema.properties) ? { ...schema.properties } : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties" && isSchema(value)) Object.assign(properties, value);
      else if (key === "required" && Array.isArray(value)) value.forEach((name) => required.add(name));
      else if (!(key in merged)) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

/** The JSON types a schema declares (undefined when it does not restrict the type). */
function declaredTypes(schema: Schema): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === "string");
  if (isSchema(schema.properties) || Array.isArray(schema.required)) return ["object"];
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return ["array"];
  return undefined;
}

function normalise(schema: unknown, root: Schema): Schema {
  if (!isSchema(schema)) return {};
  const resolved = resolveRef(schema, root);
  return Array.isArray(resolved.allOf) ? mergeAllOf(resolved, root) : resolved;
}

function generateString(schema: Schema, random: SeededRandom): string {
  const format = typeof schema.format === "string" ? schema.format : "";
  const formatted: Record<string, string> = {
    "date-time": "2024-01-01T00:00:00Z",
    date: "2024-01-01",
    time: "12:00:00",
    email: `${random.word()}@example.com`,
    uri: `https://example.com/${random.word()}`,
    url: `https://example.com/${random.word()}`,
    uuid: "00000000-0000-4000-8000-000000000000",
    hostname: "example.com",
    ipv4: "127.0.0.1",
  };
  let text = formatted[format] ?? `${random.word()} ${random.word()}`;
  const minLength = numberField(schema, "minLength") ?? 0;
  const maxLength = numberField(schema, "maxLength");
  while (text.length < minLength) text += ` ${random.word()}`;
  if (maxLength !== undefined) text = text.slice(0, maxLength);
  return text;
}

function generateNumber(schema: Schema, random: SeededRandom, integer: boolean): number {
  const exclusiveMin = numberField(schema, "exclusiveMinimum");
  const exclusiveMax = numberField(schema, "exclusiveMaximum");
  const step = integer ? 1 : 0.01;
  let min = numberField(schema, "minimum") ?? (exclusiveMin !== undefined ? exclusiveMin + step : undefined);
  let max = numberField(schema, "maximum") ?? (exclusiveMax !== undefined ? exclusiveMax - step : undefined);
  min ??= max !== undefined ? Math.min(0, max) : 0;
  max ??= min + 100;
  if (integer) {
    min = Math.ceil(min);
    max = Math.floor(max);
  }
  let value = integer ? random.int(min, Math.max(min, max)) : Math.round((min + random.next() * (max - min)) * 100) / 100;
  const multipleOf = numberField(schema, "multipleOf");
  if (multipleOf !== undefined && multipleOf > 0) {
    const up = Math.ceil(value / multipleOf) * multipleOf;
    value = up <= max ? up : Math.floor(value / multipleOf) * multipleOf;
  }
  return Math.min(Math.max(value, min), max);
}

function generateArray(schema: Schema, root: Schema, random: SeededRandom, depth: number): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const minItems = Math.max(numberField(schema, "minItems") ?? 1, prefix.length);
  const maxItems = numberField(schema, "maxItems") ?? Math.max(minItems, 2);
  const count = Math.min(Math.max(minItems, 2), maxItems);
  const items: unknown[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; items.length < count && attempt < count * 10; attempt += 1) {
    const itemSchema = prefix[items.length] ?? schema.items;
    const item = generate(itemSchema, root, random, depth + 1);
    const key = JSON.stringify(item);
    if (schema.uniqueItems === true && seen.has(key)) continue;
    seen.add(key);
    items.push(item);
  }
  return items;
}

function generateObject(schema: Schema, root: Schema, random: SeededRandom, depth: number): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((n): n is string => typeof n === "string") : [];
  const result: Record<string, unknown> = {};
  for (const [name, propertySchema] of Object.entries(properties)) {
    result[name] = generate(propertySchema, root, random, depth + 1);
  }
  for (const name of required) {
    if (!(name in result)) result[name] = generate(schema.additionalProperties, root, random, depth + 1);
  }
  return result;
}

function generate(input: unknown, root: Schema, random: SeededRandom, depth: number): unknown {
  const schema = normalise(input, root);
  if (depth > MAX_DEPTH) return null;
  if ("const" in schema) return schema.const;
  // JSON Schema's own way to show a valid value: a schema with `examples` is answered with the first.
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return random.pick(schema.enum);
  const options = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (options && options.length > 0) {
    const preferred = options.find((option) => !(isSchema(option) && option.type === "null")) ?? options[0];
    return generate(preferred, root, random, depth);
  }
  const type = declaredTypes(schema)?.find((t) => t !== "null") ?? declaredTypes(schema)?.[0] ?? "string";
  switch (type) {
    case "object":
      return generateObject(schema, root, random, depth);
    case "array":
      return generateArray(schema, root, random, depth);
    case "integer":
      return generateNumber(schema, random, true);
    case "number":
      return generateNumber(schema, random, false);
    case "boolean":
      return random.next() < 0.5;
    case "null":
      return null;
    default:
      return generateString(schema, random);
  }
}

/** A value that conforms to `schema` (objects with all properties, arrays, enums, consts, ranges, refs; the first of `examples` when a schema gives some). */
export function valueForSchema(schema: unknown, random: SeededRandom): unknown {
  const root = isSchema(schema) ? schema : {};
  return generate(root, root, random, 0);
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * A value that does NOT conform to `schema`: an object missing its required properties when the
 * schema requires some, otherwise a value of a type the schema does not allow.
 */
export function nonConformingValue(schema: unknown): unknown {
  const root = isSchema(schema) ? schema : {};
  const resolved = normalise(root, root);
  const types = declaredTypes(resolved);
  const required = Array.isArray(resolved.required) ? resolved.required : [];
  if (types?.includes("object") && required.length > 0) return {};
  const candidates: unknown[] = [["simulated invalid output"], { simulated_invalid_output: true }, "simulated invalid output", 12345.5, true, null];
  const allowed = (value: unknown) => {
    const t = jsonTypeOf(value);
    if (!types) return false;
    return types.includes(t) || (t === "integer" && types.includes("number"));
  };
  const enumValues = Array.isArray(resolved.enum) ? resolved.enum.map((v) => JSON.stringify(v)) : undefined;
  if (!types && enumValues) return candidates.find((c) => !enumValues.includes(JSON.stringify(c)));
  return candidates.find((candidate) => !allowed(candidate)) ?? "simulated invalid output";
}
