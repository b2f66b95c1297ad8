// Shared helpers for the vector-server tests: deterministic random vectors, hand-computed similarity,
// a random namespace per run, and a raw HTTP call for checking status codes the client hides.
import { randomUUID } from "node:crypto";

export { seededRandom } from "../../support/random";

export function randomVector(random: () => number, dimension: number): number[] {
  return Array.from({ length: dimension }, () => random() * 2 - 1);
}

export function unitVector(random: () => number, dimension: number): number[] {
  const v = randomVector(random, dimension);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
export const cosine = (a: number[], b: number[]) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
export const squaredDistance = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + (x - b[i]!) ** 2, 0);

export const randomNamespace = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/** POSTs to the server without the client, to see the raw status and body. */
export async function rawCall(url: string, path: string, token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
