// Shared helpers for the simulated-provider tests: JSON posting, fault scripting, a unique model
// name per run, and a tiny JSON-schema conformance check (types, required, enum, const, minItems).
import { randomUUID } from "node:crypto";

export const runId = randomUUID().slice(0, 8);

/** A model name unique to this run, so tests never see each other's faults or counters. */
export function uniqueModel(base: string): string {
  return `${base}-${runId}-${randomUUID().slice(0, 6)}`;
}

export function postJson(url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    ...init,
    headers: { "content-type": "application/json", authorization: "Bearer sk-test-secret", ...init.headers },
    body: JSON.stringify(body),
  });
}

export async function setFault(baseUrl: string, fault: Record<string, unknown>): Promise<Response> {
  const response = await postJson(`${baseUrl}/__sim/faults`, fault);
  if (response.status !== 200) throw new Error(`setting fault failed: ${response.status} ${await response.text()}`);
  return response;
}

export async function callCounts(baseUrl: string): Promise<Record<string, number>> {
  return (await (await fetch(`${baseUrl}/__sim/calls`)).json()) as Record<string, number>;
}

/** Polls `read` until `accept` holds or the deadline passes (returns the last value either way). */
export async function pollUntil<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 2000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && performance.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    value = await read();
  }
  return value;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Returns the conformance problems of `value` against a (small) JSON schema; [] means it conforms. */
export function schemaProblems(schema: Record<string, unknown>, value: unknown, path = "$"): string[] {
  if ("const" in schema) return JSON.stringify(schema.const) === JSON.stringify(value) ? [] : [`${path}: not const`];
  if (Array.isArray(schema.enum)) {
    return schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value)) ? [] : [`${path}: not in enum`];
  }
  const type = schema.type;
  const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  if (type === "integer") return Number.isInteger(value) ? [] : [`${path}: not an integer`];
  if (typeof type === "string" && type !== actual) return [`${path}: expected ${type}, got ${actual}`];
  if (type === "array" && Array.isArray(value)) {
    const problems = typeof schema.minItems === "number" && value.length < schema.minItems ? [`${path}: too few items`] : [];
    const items = (schema.items ?? {}) as Record<string, unknown>;
    return [...problems, ...value.flatMap((item, index) => schemaProblems(items, item, `${path}[${index}]`))];
  }
  if (type === "object" && typeof value === "object" && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, Json>;
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = (schema.required ?? []) as string[];
    return [
      ...required.filter((name) => !(name in record)).map((name) => `${path}.${name}: missing`),
      ...Object.entries(properties)
        .filter(([name]) => name in record)
        .flatMap(([name, propertySchema]) => schemaProblems(propertySchema, record[name], `${path}.${name}`)),
    ];
  }
  return [];
}
