// Reading provider bodies that may be anything: JSON parsing without exceptions and narrowing of
// unknown values to records and string fields.

/** Parses JSON without throwing: `{ ok: false }` when the text is not JSON. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Narrows to a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string field of an unknown value, when it is one. */
export function stringField(value: unknown, field: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const item = value[field];
  return typeof item === "string" ? item : undefined;
}
