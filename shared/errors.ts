// The one error module: GatewayError carries an OpenAI error type/code and an HTTP status; every
// Worker renders errors through `errorBody`, so clients always see {"error":{message,type,param,code}}.
import type { ErrorBody } from "./openai";

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "rate_limit_error"
  | "server_error"
  | "timeout_error"
  | "service_unavailable";

/** Default HTTP status for each error type; a GatewayError may override it. */
const STATUS_BY_TYPE: Record<ErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  server_error: 500,
  timeout_error: 504,
  service_unavailable: 503,
};

export interface GatewayErrorInit {
  type: ErrorType;
  code?: string | null;
  param?: string | null;
  status?: number;
}

/**
 * An error a client is meant to see. `message` must be safe to show: never a stack trace, a
 * provider key or an upstream URL with credentials. Anything that is not a GatewayError is rendered
 * as a generic 500 by `toGatewayError`, so internal details never leak.
 */
export class GatewayError extends Error {
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly status: number;

  constructor(message: string, init: GatewayErrorInit) {
    super(message);
    this.name = "GatewayError";
    this.type = init.type;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.status = init.status ?? STATUS_BY_TYPE[init.type];
  }

  /** Rebuilds an error that crossed RPC as an OpenAI-shaped body (class identity does not survive RPC). */
  static fromBody(body: ErrorBody, status: number): GatewayError {
    const { message, type, param, code } = body.error;
    const knownType = (type in STATUS_BY_TYPE ? type : "server_error") as ErrorType;
    return new GatewayError(message, { type: knownType, code, param, status });
  }

  /** The OpenAI-shaped body for this error. */
  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

const RPC_MARKER = "GatewayError:";

/**
 * Prepares an error to cross a Workers RPC boundary, where only an Error's message survives: a
 * GatewayError travels as its JSON body and status inside the message; `toGatewayError` on the other
 * side restores it. Other errors cross unchanged (and become opaque 500s there).
 */
export function toRpcError(error: unknown): unknown {
  if (!(error instanceof GatewayError)) return error;
  return new Error(`${RPC_MARKER}${JSON.stringify({ status: error.status, body: error.toBody() })}`);
}

/** Runs an RPC method's body so that a GatewayError it throws reaches the caller intact (see toRpcError). */
export async function rpcMethod<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toRpcError(error);
  }
}

function fromRpcError(error: unknown): GatewayError | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(RPC_MARKER)) return undefined;
  try {
    const { status, body } = JSON.parse(error.message.slice(RPC_MARKER.length)) as { status: number; body: ErrorBody };
    return GatewayError.fromBody(body, status);
  } catch {
    return undefined;
  }
}

/**
 * Turns any thrown value into a GatewayError. Known errors pass through (also those that crossed RPC
 * through `toRpcError`); anything else becomes an opaque 500 whose message does not repeat the
 * original (the caller logs the original).
 */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const crossed = fromRpcError(error);
  if (crossed) return crossed;
  return new GatewayError("The server had an error while processing your request.", {
    type: "server_error",
    code: "internal_error",
  });
}

/** Renders an error as an OpenAI-style JSON response. */
export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const gatewayError = toGatewayError(error);
  const responseHeaders = new Headers(headers);
  responseHeaders.set("content-type", "application/json");
  return new Response(JSON.stringify(gatewayError.toBody()), { status: gatewayError.status, headers: responseHeaders });
}
