// Helpers for the tenant, limit and security tests: calls with a chosen key, and the admin API.
import { stack } from "../support";

export const ADMIN_KEY = stack.vars.ADMIN_API_KEY!;
export type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

/** A call to the edge with `key` as the bearer key (none when null). */
export function call(path: string, init: RequestInit = {}, key: string | null = stack.apiKey): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key !== null) headers.set("authorization", `Bearer ${key}`);
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return fetch(`${stack.edgeUrl}${path}`, { ...init, headers });
}

export function chatAs(key: string, model: string, text: string, extra: Record<string, unknown> = {}): Promise<Response> {
  return call("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model, messages: [{ role: "user", content: text }], ...extra }) }, key);
}

/** Creates a key for `tenant` through the admin API and returns its text and id. */
export async function createKey(tenant: string, extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const response = await call("/v1/admin/keys", { method: "POST", body: JSON.stringify({ tenant, ...extra }) }, ADMIN_KEY);
  if (response.status !== 201) throw new Error(`create key: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; key: string };
}

/** Repeats `send` until its status is `status` or the deadline passes; returns the last response. */
export async function pollStatus(send: () => Promise<Response>, status: number, timeoutMs: number, intervalMs = 100): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await send();
    if (response.status === status || Date.now() >= deadline) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
