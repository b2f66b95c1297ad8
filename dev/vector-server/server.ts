// Local stand-in for Upstash Vector: the REST API the real @upstash/vector client speaks
// (`POST /<command>[/<namespace>]`, Bearer token, `{"result": …}` / `{"error", "status"}`), served by
// node:http on 127.0.0.1 over an exact in-memory index, optionally persisted to `dataDir`.
// Run standalone: `npx tsx dev/vector-server/server.ts` (env VECTOR_SERVER_PORT, UPSTASH_VECTOR_REST_TOKEN, …).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { CommandHandler } from "./context";
import { type ErrorBody, VectorError, badRequest, errorBody } from "./errors";
import { SnapshotWriter, loadIndex } from "./persistence";
import { readCommands } from "./read-commands";
import { createResumableCommands } from "./resumable";
import { SIMILARITY_FUNCTIONS } from "./similarity";
import { VectorIndex } from "./store";
import { writeCommands } from "./write-commands";

const MAX_BODY_BYTES = 256 * 1024 * 1024;
const ALLOWED_METHODS = new Set(["GET", "POST", "PUT", "DELETE"]);

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535),
  token: z.string().min(1),
  dataDir: z.string().min(1).optional(),
  dimension: z.number().int().positive().default(512),
  similarity: z.enum(SIMILARITY_FUNCTIONS).default("COSINE"),
  /** How long writes are batched before the snapshot is rewritten. */
  persistDebounceMs: z.number().int().nonnegative().default(250),
});
export type VectorServerOptions = z.input<typeof optionsSchema>;

export interface VectorServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: { result: unknown } | ErrorBody): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  response.end(json);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new VectorError(413, `Request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
}

/** Splits `/query/my-ns` into the command and the (decoded) namespace; "" is the default namespace. */
function route(pathname: string): { command: string; namespace: string } {
  const path = pathname.replace(/^\/+/, "");
  const slash = path.indexOf("/");
  const command = slash === -1 ? path : path.slice(0, slash);
  try {
    return { command, namespace: slash === -1 ? "" : decodeURIComponent(path.slice(slash + 1)) };
  } catch {
    throw badRequest(`Malformed namespace in path '${pathname}'`);
  }
}

/** Starts the server; `port: 0` picks a free port. `close()` stops it and flushes persistence. */
export async function startVectorServer(options: VectorServerOptions): Promise<VectorServer> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`Invalid vector server options:\n${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  let writer: SnapshotWriter | undefined;
  const index = new VectorIndex(config.dimension, config.similarity, () => writer?.markDirty());
  if (config.dataDir) {
    await loadIndex(config.dataDir, index);
    writer = new SnapshotWriter(config.dataDir, index, config.persistDebounceMs);
  }
  const commands: Record<string, CommandHandler> = { ...readCommands, ...writeCommands, ...createResumableCommands() };
  const expectedAuthorization = `Bearer ${config.token}`;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      if (request.headers.authorization !== expectedAuthorization) {
        request.resume();
        throw new VectorError(401, "Unauthorized: Invalid auth token");
      }
      if (!ALLOWED_METHODS.has(request.method ?? "")) throw new VectorError(405, `Method ${request.method} is not allowed`);
      const url = new URL(request.url ?? "/", "http://localhost");
      const { command, namespace } = route(url.pathname);
      const handler = Object.hasOwn(commands, command) ? commands[command] : undefined;
      if (!handler) throw badRequest(`Unknown command '${command}'`);
      const body = await readJsonBody(request);
      const result = await handler({ index, namespace, body, searchParams: url.searchParams });
      send(response, 200, { result });
    } catch (error) {
      if (error instanceof VectorError) return send(response, error.status, errorBody(error));
      console.error(`[vector-server] ${request.method} ${request.url} failed: ${error instanceof Error ? error.message : String(error)}`);
      send(response, 500, { error: "Internal server error", status: 500 });
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("vector server is not listening on a TCP port");
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await writer?.flush();
    },
  };
}

const envSchema = z.object({
  VECTOR_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(8792),
  UPSTASH_VECTOR_REST_TOKEN: z.string().min(1).default("local-vector-token"),
  VECTOR_SERVER_DATA_DIR: z.string().min(1).optional(),
  VECTOR_SERVER_DIMENSION: z.coerce.number().int().positive().default(512),
  VECTOR_SERVER_SIMILARITY: z.enum(SIMILARITY_FUNCTIONS).default("COSINE"),
});

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const parsedEnv = envSchema.safeParse(process.env);
  if (!parsedEnv.success) {
    console.error(`Invalid vector server environment:\n${z.prettifyError(parsedEnv.error)}`);
    process.exit(1);
  }
  const env = parsedEnv.data;
  const server = await startVectorServer({
    port: env.VECTOR_SERVER_PORT,
    token: env.UPSTASH_VECTOR_REST_TOKEN,
    dataDir: env.VECTOR_SERVER_DATA_DIR,
    dimension: env.VECTOR_SERVER_DIMENSION,
    similarity: env.VECTOR_SERVER_SIMILARITY,
  });
  console.log(`Upstash Vector local server on ${server.url} (${env.VECTOR_SERVER_DIMENSION} dims, ${env.VECTOR_SERVER_SIMILARITY})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
