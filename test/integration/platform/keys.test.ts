// Authentication through the whole stack: every /v1 route refuses a missing or wrong key with 401;
// a key made through the admin API works for chat as its tenant without a redeploy, and once revoked
// it is refused within the documented bound (5 s).
import { describe, expect, it } from "vitest";
import { ADMIN_KEY, call, chatAs, createKey, pollStatus, type ErrorBody } from "./support";

const ROUTES: Array<[string, string]> = [
  ["POST", "/v1/chat/completions"],
  ["POST", "/v1/embeddings"],
  ["GET", "/v1/models"],
  ["POST", "/v1/jobs"],
  ["GET", "/v1/jobs/job_x"],
  ["GET", "/v1/jobs/job_x/events"],
  ["POST", "/v1/jobs/job_x/cancel"],
  ["POST", "/v1/guardrails/check"],
  ["GET", "/v1/guardrails/reviews"],
  ["POST", "/v1/guardrails/reviews/r_x/approve"],
  ["POST", "/v1/cache/invalidate"],
  ["GET", "/v1/cache/stats"],
  ["GET", "/v1/admin/keys"],
  ["POST", "/v1/admin/keys"],
];

describe("authentication", () => {
  it.each(ROUTES)("%s %s without a key → 401 missing_api_key", async (method, path) => {
    const response = await call(path, { method, ...(method === "POST" ? { body: "{}" } : {}) }, null);
    expect(response.status).toBe(401);
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: "authentication_error", code: "missing_api_key" });
  });

  it.each(ROUTES)("%s %s with a wrong key → 401 invalid_api_key", async (method, path) => {
    const response = await call(path, { method, ...(method === "POST" ? { body: "{}" } : {}) }, "sk-edge-not-a-real-key-0000000000000000000000");
    expect(response.status).toBe(401);
    expect(((await response.json()) as ErrorBody).error.code).toBe("invalid_api_key");
  });

  it("a key from the admin API works at once as its tenant, and is refused within 5 s of revocation", async () => {
    const { id, key } = await createKey("it-keys", { name: "integration" });
    const answer = await chatAs(key, "t-plat", "Hello from a stored key");
    expect(answer.status).toBe(200);
    const listed = (await (await call("/v1/admin/keys?tenant=it-keys", {}, ADMIN_KEY)).json()) as { data: Array<{ id: string; revoked_at: string | null }> };
    expect(listed.data).toEqual([expect.objectContaining({ id, revoked_at: null })]);

    expect((await call(`/v1/admin/keys/${id}`, { method: "DELETE" }, ADMIN_KEY)).status).toBe(200);
    // The bound is the poll's deadline: every isolate re-reads a key at least every 5 s.
    const refused = await pollStatus(() => call("/v1/models", {}, key), 401, 5_000);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ type: "authentication_error", code: "invalid_api_key", message: "This API key has been revoked." });
  });
});
