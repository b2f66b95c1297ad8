// The simulator's control routes under /__sim: set/list/reset faults, read call counts and the
// call log. Tests and benchmarks script provider behaviour through these.
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorBody, validationError } from "./errors";
import { faultSchema, type FaultStore } from "./faults";
import { newRequestId, parseJson, readBody, sendJson } from "./http";
import type { CallRecorder } from "./recorder";

export interface SimState {
  faults: FaultStore;
  recorder: CallRecorder;
}

function sendBadRequest(res: ServerResponse, message: string, param: string | null = null): void {
  sendJson(res, 400, errorBody("openai", { status: 400, message, param }, newRequestId()));
}

async function postFault(req: IncomingMessage, res: ServerResponse, state: SimState): Promise<void> {
  const body = await readBody(req);
  const json = body.ok ? parseJson(body.text) : { ok: false as const };
  if (!json.ok) return sendBadRequest(res, "The fault body must be a JSON object.");
  const parsed = faultSchema.safeParse(json.value);
  if (!parsed.success) {
    const error = validationError("openai", parsed.error);
    return sendBadRequest(res, error.message, error.param ?? null);
  }
  sendJson(res, 200, state.faults.set(parsed.data));
}

/** Handles a /__sim route; returns false when the path/method is not one of them. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, state: SimState): Promise<boolean> {
  const model = url.searchParams.get("model") ?? undefined;
  const route = `${req.method ?? "GET"} ${url.pathname}`;
  switch (route) {
    case "POST /__sim/faults":
      await postFault(req, res, state);
      return true;
    case "GET /__sim/faults":
      sendJson(res, 200, state.faults.list());
      return true;
    case "DELETE /__sim/faults":
      state.faults.clear(model);
      state.recorder.clear(model);
      sendJson(res, 200, { reset: true, ...(model === undefined ? {} : { model }) });
      return true;
    case "GET /__sim/calls":
      sendJson(res, 200, state.recorder.calls());
      return true;
    case "GET /__sim/log":
      sendJson(res, 200, state.recorder.log(model));
      return true;
    default:
      return false;
  }
}
