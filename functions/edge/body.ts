// Request bodies: a size limit (413), strict JSON (400 invalid_json) and zod validation (400 with
// the offending parameter), all as OpenAI-style errors. Nothing reaches a Worker behind the edge
// until the body has passed.
import type { Context } from "hono";
import type { z } from "zod";
import { GatewayError } from "@llm-edge/shared";

export const MAX_BODY_BYTES = 1024 * 1024;

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const declaredHeader = request.headers.get("content-length");
  const declared = declaredHeader === null ? Number.NaN : Number(declaredHeader);
  const tooLarge = () => new GatewayError(`Request body too large: the limit is ${maxBytes} bytes.`, { type: "invalid_request_error", code: "request_too_large", status: 413 });
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  // A declared length within the limit bounds the body (HTTP framing): read it natively in one go,
  // which costs far less on workerd than a read loop in JavaScript. Without one, count as it streams.
  if (Number.isInteger(declared) && declared >= 0) {
    const text = await request.text();
    if (text.length > maxBytes) throw tooLarge();
    return text;
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Reads, parses and validates a JSON body; throws GatewayError (413/400) that onError renders. */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S, maxBytes = MAX_BODY_BYTES): Promise<z.infer<S>> {
  const text = await readLimited(c.req.raw, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatewayError("We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.", { type: "invalid_request_error", code: "invalid_json" });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = issue.path.join(".");
    throw new GatewayError(`Invalid value for '${param || "body"}': ${issue.message}`, { type: "invalid_request_error", code: "invalid_value", param: param || null });
  }
  return result.data;
}
