// Simulated LLM provider (OpenAI + Anthropic wires, real embeddings, scriptable faults) on
// node:http, bound to 127.0.0.1. `startSimProvider({ port: 0 })` for tests; `npx tsx
// dev/sim-provider/server.ts` runs it standalone on SIM_PROVIDER_PORT (default 8790).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { messagesRoute } from "./anthropic";
import { handleControl, type SimState } from "./control";
import { deliver, runPreResponseFaults, type CallContext } from "./deliver";
import { embeddingsRoute } from "./embeddings";
import { errorBody, type Wire } from "./errors";
import { FaultStore } from "./faults";
import { disconnectSignal, newRequestId, parseJson, readBody, requestIdHeaders, sendJson } from "./http";
import { chatCompletionsRoute } from "./openai";
import { CallRecorder } from "./recorder";
import type { ModelRoute } from "./route";

export const SIMULATED_MODELS = ["sim-primary", "sim-secondary", "sim-tertiary", "sim-embed"] as const;
const MODELS_CREATED_AT = 1_700_000_000;

const MODEL_ROUTES: Record<string, ModelRoute> = {
  "/v1/chat/completions": chatCompletionsRoute,
  "/v1/messages": messagesRoute,
  "/v1/embeddings": embeddingsRoute,
};

export interface SimProviderOptions {
  port: number;
}

export interface SimProvider {
  url: string;
  port: number;
  close(): Promise<void>;
}

function sendWireError(res: ServerResponse, wire: Wire, status: number, message: string, requestId: string): void {
  sendJson(res, status, errorBody(wire, { status, message }, requestId), requestIdHeaders(requestId));
}

async function handleModelCall(req: IncomingMessage, res: ServerResponse, route: ModelRoute, path: string, state: SimState): Promise<void> {
  const requestId = newRequestId();
  const body = await readBody(req);
  if (!body.ok) return sendWireError(res, route.wire, 413, "Request body too large.", requestId);
  const json = parseJson(body.text);
  if (!json.ok) return sendWireError(res, route.wire, 400, "We could not parse the JSON body of your request.", requestId);
  const model = typeof json.value === "object" && json.value !== null && "model" in json.value ? json.value.model : undefined;
  const logged = typeof model === "string" && model.length > 0 ? state.recorder.record({ model, wire: route.wire, path, body: json.value, headers: req.headers }) : undefined;
  const prepared = route.prepare(json.value);
  if (!prepared.ok) {
    sendJson(res, prepared.error.status, errorBody(route.wire, prepared.error, requestId), requestIdHeaders(requestId));
    return;
  }
  const validModel = String(model);
  const fault = state.faults.take(validModel);
  const call: CallContext = { res, wire: route.wire, model: validModel, requestId, signal: disconnectSignal(res) };
  if (logged) call.signal.addEventListener("abort", () => (logged.clientLeft = true), { once: true });
  if (!(await runPreResponseFaults(call, fault))) return;
  const plan = await prepared.call.build({ invalidOutput: fault?.invalidOutput === true, ...(fault?.output !== undefined ? { output: fault.output } : {}), requestId });
  if (call.signal.aborted) return;
  await deliver(call, plan, fault);
}

function sendModels(req: IncomingMessage, res: ServerResponse, id?: string): void {
  const ids = id === undefined ? [...SIMULATED_MODELS] : [id];
  if (req.headers["anthropic-version"] !== undefined) {
    const created_at = new Date(MODELS_CREATED_AT * 1000).toISOString();
    const models = ids.map((model) => ({ type: "model", id: model, display_name: `Simulated ${model}`, created_at }));
    if (id !== undefined) return sendJson(res, 200, models[0]);
    return sendJson(res, 200, { data: models, has_more: false, first_id: ids[0], last_id: ids[ids.length - 1] });
  }
  const models = ids.map((model) => ({ id: model, object: "model", created: MODELS_CREATED_AT, owned_by: "simulator" }));
  if (id !== undefined) return sendJson(res, 200, models[0]);
  sendJson(res, 200, { object: "list", data: models });
}

async function handle(req: IncomingMessage, res: ServerResponse, state: SimState): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const route = MODEL_ROUTES[url.pathname];
  if (route && req.method === "POST") return handleModelCall(req, res, route, url.pathname, state);
  if (req.method === "GET" && url.pathname === "/v1/models") return sendModels(req, res);
  if (req.method === "GET" && url.pathname.startsWith("/v1/models/")) {
    return sendModels(req, res, decodeURIComponent(url.pathname.slice("/v1/models/".length)));
  }
  if (await handleControl(req, res, url, state)) return;
  const requestId = newRequestId();
  sendJson(
    res,
    404,
    errorBody("openai", { status: 404, message: `Invalid URL (${req.method ?? "GET"} ${url.pathname})` }, requestId),
    requestIdHeaders(requestId),
  );
}

/** Starts the simulated provider on 127.0.0.1 (`port: 0` picks a free port). */
export async function startSimProvider(options: SimProviderOptions): Promise<SimProvider> {
  const state: SimState = { faults: new FaultStore(), recorder: new CallRecorder() };
  const server = createServer((req, res) => {
    handle(req, res, state).catch(() => {
      if (res.headersSent) res.socket?.destroy();
      else sendWireError(res, "openai", 500, "The simulated provider failed to handle the request.", newRequestId());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.SIM_PROVIDER_PORT ?? 8790);
  const provider = await startSimProvider({ port });
  process.stdout.write(`simulated LLM provider listening on ${provider.url}\n`);
  const shutdown = () => void provider.close().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
