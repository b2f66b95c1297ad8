// Turns raw Redis replies (Buffers, integers, nulls, nested arrays, nested errors from ioredis in
// buffer mode, RESP2) into the JSON values of the Upstash REST API. With `Upstash-Encoding: base64`
// every string, at any depth, is base64 of the raw bytes, except a top-level "OK" (as Upstash does);
// without it strings are UTF-8, invalid bytes becoming U+FFFD.

export type JsonReply = string | number | null | JsonReply[];

/** One entry of a /pipeline or /multi-exec response, and the body of a single-command response. */
export type ReplyEnvelope = { result: JsonReply } | { error: string };

export type ResponseEncoding = "utf8" | "base64";

const OK = "OK";

/** Converts a whole command result; only here, at the top level, does "OK" stay unencoded. */
export function encodeResult(reply: unknown, encoding: ResponseEncoding): JsonReply {
  if (encoding === "base64" && isOkBytes(reply)) return OK;
  return encodeValue(reply, encoding);
}

/** Converts a nested reply value; nested errors (e.g. from a Lua table) become their message. */
export function encodeValue(reply: unknown, encoding: ResponseEncoding): JsonReply {
  if (reply === null || reply === undefined) return null;
  if (Buffer.isBuffer(reply)) return encoding === "base64" ? reply.toString("base64") : reply.toString("utf8");
  if (typeof reply === "string") return encoding === "base64" ? Buffer.from(reply, "utf8").toString("base64") : reply;
  if (typeof reply === "number") return reply;
  if (reply instanceof Error) return encodeValue(reply.message, encoding);
  if (Array.isArray(reply)) return reply.map((item: unknown) => encodeValue(item, encoding));
  throw new TypeError(`Unexpected Redis reply of type ${typeof reply}`);
}

function isOkBytes(reply: unknown): boolean {
  if (Buffer.isBuffer(reply)) return reply.length === 2 && reply.toString("latin1") === OK;
  return reply === OK;
}
