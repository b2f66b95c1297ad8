// Stable identities for cache entries: canonical JSON (sorted keys, no undefined) and SHA-256 hex
// through crypto.subtle, which Workers and Node share.

/** JSON with object keys sorted at every level and undefined members dropped, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member: unknown = Reflect.get(value, key);
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}

/** SHA-256 of the UTF-8 text as lowercase hex, cut to `length` characters (64 = the whole digest). */
export async function sha256Hex(text: string, length = 64): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex.slice(0, length);
}
