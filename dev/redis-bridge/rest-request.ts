// Reads an incoming HTTP request the way the Upstash REST API does: token check (Bearer header or
// `_token` query), response encoding, and the command in one of its three forms: JSON array in the
// body of `POST /`, `POST /pipeline` or `POST /multi-exec`, or path segments (`/set/k/v`, with a POST
// body appended as the last argument and query parameters after it).
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { toRedisCommand, type RedisArg, type RedisCommand } from "./commands";
import type { ResponseEncoding } from "./encoding";

export type RestRequest =
  | { kind: "command"; command: RedisCommand; encoding: ResponseEncoding }
  | { kind: "pipeline" | "multi-exec"; commands: RedisCommand[]; encoding: ResponseEncoding };

/** An HTTP failure in Upstash's wire format: status plus `{"error": message}`. */
export class RestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "RestError";
  }
}

const ALLOWED_METHODS = new Set(["GET", "HEAD", "POST", "PUT"]);
const jsonArgument = z.union([z.string(), z.number(), z.boolean()]);
const jsonCommand = z.array(jsonArgument).min(1, "a command needs at least its name");
const jsonCommandList = z.array(jsonCommand).min(1, "at least one command is required");

/** Validates and decodes one request; throws RestError for anything the REST API would reject. */
export async function readRestRequest(
  request: IncomingMessage,
  options: { token: string; maxBodyBytes: number },
): Promise<RestRequest> {
  const method = request.method ?? "GET";
  if (!ALLOWED_METHODS.has(method)) throw new RestError(405, "Method Not Allowed");
  const url = new URL(request.url ?? "/", "http://bridge.invalid");
  if (!hasValidToken(request, url, options.token)) throw new RestError(401, "Unauthorized");
  const encoding = responseEncoding(request);
  const body = await readBody(request, options.maxBodyBytes);
  const segments = pathSegments(url.pathname);

  if (segments.length === 0) {
    return { kind: "command", command: toRedisCommand(parseJson(body, jsonCommand).map(argumentText)), encoding };
  }
  const [first] = segments;
  if (segments.length === 1 && (first === "pipeline" || first === "multi-exec") && method !== "GET" && method !== "HEAD") {
    const commands = parseJson(body, jsonCommandList).map((parts) => toRedisCommand(parts.map(argumentText)));
    return { kind: first, commands, encoding };
  }
  const parts: RedisArg[] = [...segments];
  if (body.length > 0) parts.push(body);
  for (const [key, value] of url.searchParams) {
    if (key === "_token") continue;
    parts.push(key);
    if (value !== "") parts.push(value);
  }
  return { kind: "command", command: toRedisCommand(parts), encoding };
}

function hasValidToken(request: IncomingMessage, url: URL, expected: string): boolean {
  const header = request.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  const presented = bearer ?? url.searchParams.get("_token");
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function responseEncoding(request: IncomingMessage): ResponseEncoding {
  const format = headerValue(request, "upstash-response-format");
  if (format !== undefined && format.toLowerCase() !== "json") {
    throw new RestError(400, `ERR unsupported response format '${format}': this bridge answers in json only`);
  }
  return headerValue(request, "upstash-encoding")?.toLowerCase() === "base64" ? "base64" : "utf8";
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number(request.headers["content-length"] ?? 0) > maxBytes;
  // Keep reading past the limit (discarding) so the client is still there to receive the 413.
  for await (const chunk of request) {
    if (!Buffer.isBuffer(chunk)) continue;
    size += chunk.length;
    if (size > maxBytes) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) throw new RestError(413, `ERR max request size exceeded: the limit is ${maxBytes} bytes`);
  return Buffer.concat(chunks);
}

function pathSegments(pathname: string): string[] {
  try {
    return pathname.split("/").filter((segment) => segment !== "").map((segment) => decodeURIComponent(segment));
  } catch {
    throw new RestError(400, "ERR malformed percent-encoding in the request path");
  }
}

function parseJson<T>(body: Buffer, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw new RestError(400, "ERR failed to parse the request body as JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new RestError(400, `ERR invalid command${where}: ${issue?.message ?? "expected a JSON array"}`);
  }
  return parsed.data;
}

function argumentText(argument: string | number | boolean): string {
  return String(argument);
}
