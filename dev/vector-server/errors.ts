// Errors of the local Upstash Vector server, rendered in Upstash's wire shape:
// `{"error": "<message>", "status": <http status>}` (see Upstash Vector REST API "Getting Started").
// Handlers throw VectorError; the HTTP layer is the only place that turns it into a response.

export class VectorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "VectorError";
  }
}

export const badRequest = (message: string): VectorError => new VectorError(400, message);

export const notSupportedLocally = (what: string): VectorError =>
  new VectorError(400, `${what} is not supported by the local server`);

export interface ErrorBody {
  error: string;
  status: number;
}

export const errorBody = (error: VectorError): ErrorBody => ({ error: error.message, status: error.status });
