// 500 malformed requests (seeded, so a failure reproduces) across every route and method: bad or
// missing keys, unknown paths and methods, broken, wrongly shaped, empty and oversized bodies, bad ids
// and query values, hostile override headers. Every answer is a 4xx with an OpenAI-style error body
// and no stack trace; the stack stays healthy; and afterwards no secret appears in the wrangler log.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../support/random";
import { health, stack } from "../support";
import { ADMIN_KEY, call, chatAs, createKey } from "./support";

const SEED = 20_261_121;
const random = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const BODY_ROUTES = ["/v1/chat/completions", "/v1/embeddings", "/v1/jobs", "/v1/guardrails/check", "/v1/cache/invalidate", "/v1/enrich", "/v1/events", "/v1/admin/keys"];
const ID_ROUTES = ["/v1/jobs/job_missing", "/v1/jobs/job_missing/events", "/v1/guardrails/reviews/rev_missing", "/v1/enrich/rec_missing", "/v1/events/evt_missing"];
const ACTION_ROUTES = [
  "/v1/jobs/job_missing/cancel", "/v1/jobs/job_missing/approve", "/v1/jobs/job_missing/reject",
  "/v1/guardrails/reviews/rev_missing/approve", "/v1/guardrails/reviews/rev_missing/reject",
  "/v1/enrich/rec_missing/replay", "/v1/events/evt_missing/replay",
];
const ALL_ROUTES = [...BODY_ROUTES, ...ID_ROUTES, ...ACTION_ROUTES, "/v1/models", "/v1/cache/stats", "/v1/guardrails/reviews", "/v1/admin/keys/key_missing"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function randomText(length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(random() * 0x2fff) + 1);
  return text;
}

/** A body that is not what the route accepts: broken JSON, wrong shapes, wrong types, nesting. */
function badBody(): string {
  return pick<() => string>([
    () => "{",
    () => '{"model": "t-plat", "messages": [',
    () => randomText(1 + Math.floor(random() * 200)),
    () => "",
    () => "null",
    () => "[]",
    () => "42",
    () => JSON.stringify({ model: 7, messages: "hi" }),
    () => JSON.stringify({ model: "t-plat", messages: [{ role: "wizard", content: "x" }] }),
    () => JSON.stringify({ model: "t-plat", messages: [], temperature: "hot" }),
    () => JSON.stringify({ input: { nested: true } }),
    () => JSON.stringify({ kind: "fanout", branches: "none" }),
    () => JSON.stringify({ tenant: "../../etc/passwd" }),
    () => JSON.stringify({ text: 12, direction: "sideways" }),
    () => "[".repeat(5_000) + "]".repeat(5_000),
    () => JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: {} } }),
  ])();
}

interface FuzzCase {
  method: string;
  path: string;
  key: string | undefined;
  headers: Record<string, string>;
  body?: string;
}

/** One malformed request; each kind is invalid for a reason the edge must catch. */
function fuzzCase(): FuzzCase {
  const kind = pick(["auth", "auth", "path", "method", "body", "body", "body", "id", "query", "override", "large"]);
  const headers: Record<string, string> = {};
  if (random() < 0.3) headers.traceparent = pick(["garbage", "00-zz-yy-01", "00-00000000000000000000000000000000-0000000000000000-00"]);
  switch (kind) {
    case "auth":
      return { method: pick(METHODS), path: pick(ALL_ROUTES), key: pick([undefined, "", "sk-wrong", "sk-edge-" + "A".repeat(43), `${stack.apiKey}x`, "Basic abc"]), headers, body: random() < 0.5 ? badBody() : undefined };
    case "path":
      return { method: pick(METHODS), path: pick(["/v1/", "/v1/nope", "/v2/chat/completions", "/v1/chat", "/v1/jobs//x", `/v1/${encodeURIComponent(randomText(8))}`]), key: stack.apiKey, headers };
    case "method":
      return { method: pick(["PUT", "PATCH", "DELETE"]), path: pick(ALL_ROUTES.filter((route) => !route.startsWith("/v1/admin/keys/"))), key: stack.apiKey, headers, body: "{}" };
    case "body": {
      const path = pick(BODY_ROUTES);
      let body = badBody();
      // A body naming a model is a valid invalidation request (of that model's entries): draw again.
      while (path === "/v1/cache/invalidate" && body.includes('"model":"')) body = badBody();
      return { method: "POST", path, key: path === "/v1/admin/keys" ? ADMIN_KEY : stack.apiKey, headers: { ...headers, "content-type": pick(["application/json", "text/plain", "application/x-www-form-urlencoded"]) }, body };
    }
    case "id":
      return { method: pick(["GET", "POST"]), path: pick([...ID_ROUTES, ...ACTION_ROUTES]).replace(/(job|rev|rec|evt)_missing/, (id) => `${id}-${Math.floor(random() * 1e9)}`), key: stack.apiKey, headers };
    case "query":
      return { method: "GET", path: `/v1/guardrails/reviews?status=${pick(["bogus", "PENDING", "%00", "pending'--"])}`, key: stack.apiKey, headers };
    case "override":
      return {
        method: "POST",
        path: "/v1/chat/completions",
        key: stack.apiKey,
        headers: { ...headers, "x-gateway-targets": pick(["http://169.254.169.254/latest", "evil/gpt-4o", "sim/not-in-config", "file:///etc/passwd", "sim/t-plat-a@evil.example"]) },
        body: JSON.stringify({ model: "t-plat", messages: [{ role: "user", content: "hello" }] }),
      };
    default:
      return { method: "POST", path: pick(BODY_ROUTES.filter((route) => route !== "/v1/admin/keys")), key: stack.apiKey, headers, body: `{"pad":"${"x".repeat(1024 * 1024 + 10)}"}` };
  }
}

async function send(request: FuzzCase): Promise<Response> {
  const headers = new Headers(request.headers);
  if (request.key !== undefined) headers.set("authorization", request.key.startsWith("Basic") ? request.key : `Bearer ${request.key}`);
  const body = request.body !== undefined && request.method !== "GET" ? { body: request.body } : {};
  return fetch(`${stack.edgeUrl}${request.path}`, { method: request.method, headers, ...body });
}

const createdKeys: string[] = [];

describe(`fuzz: 500 malformed requests (seed ${SEED})`, () => {
  it("answers every one with a 4xx and an OpenAI-style error body without a stack trace", async () => {
    const failures: string[] = [];
    for (let i = 0; i < 500; i++) {
      const request = fuzzCase();
      const response = await send(request);
      const text = await response.text();
      const label = `#${i} ${request.method} ${request.path} → ${response.status}`;
      if (response.status < 400 || response.status >= 500) failures.push(`${label}: ${text.slice(0, 200)}`);
      let body: { error?: Record<string, unknown> } | undefined;
      try {
        body = JSON.parse(text) as { error?: Record<string, unknown> };
      } catch {
        failures.push(`${label}: body is not JSON: ${text.slice(0, 100)}`);
        continue;
      }
      const error = body.error;
      if (!error || typeof error.message !== "string" || typeof error.type !== "string" || !("param" in error) || !("code" in error)) failures.push(`${label}: not an OpenAI error body: ${text.slice(0, 200)}`);
      if (/\n\s+at |\.ts:\d+|node_modules|Error: /.test(text)) failures.push(`${label}: looks like a stack trace: ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it("leaves the stack healthy and serving", async () => {
    expect((await health()).status).not.toBe("down");
    expect((await chatAs(stack.apiKey, "t-plat", "Still there?")).status).toBe(200);
  });

  it("a stored key used for real calls stays out of the logs too", async () => {
    const { key } = await createKey("it-fuzz");
    createdKeys.push(key);
    expect((await chatAs(key, "t-plat", "Hello")).status).toBe(200);
    expect((await call("/v1/models", {}, `${key}0`)).status).toBe(401);
  });
});

describe("secrets in the wrangler log", () => {
  afterAll(() => {
    createdKeys.length = 0;
  });

  it("contains none of the API keys, the admin key or the Upstash tokens", async () => {
    // Give the log a moment to receive the lines of the calls above (poll until it stops growing).
    let size = -1;
    for (let i = 0; i < 20; i++) {
      const now = readFileSync(stack.wranglerLog, "utf8").length;
      if (now === size) break;
      size = now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const log = readFileSync(stack.wranglerLog, "utf8");
    expect(log.length).toBeGreaterThan(0);
    const secrets = [
      ...(stack.vars.API_KEYS ?? "").split(",").map((entry) => entry.split("=")[0]!.trim()),
      ADMIN_KEY,
      stack.vars.UPSTASH_REDIS_REST_TOKEN!,
      stack.vars.UPSTASH_VECTOR_REST_TOKEN!,
      ...createdKeys,
    ].filter(Boolean);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const secret of secrets) expect(log.includes(secret), `secret ${secret.slice(0, 6)}… found in the wrangler log`).toBe(false);
  });
});
