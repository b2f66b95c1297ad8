// Shared helpers for the provider adapter tests: targets pointing at the simulated provider, chat
// requests parsed by the public schema, reading a streamed Response through the real SSE parser and
// an adapter's stream mapper, and the simulator's request log.
import { ChatCompletionRequestSchema, readSseEvents, type ChatCompletionChunk, type ChatCompletionRequest, type Usage } from "@llm-edge/shared";
import { expect } from "vitest";
import { sendProviderRequest } from "../../../../functions/gateway/providers/transport";
import type { ProviderAdapter, ProviderType, ResolvedTarget, StreamMapper, StreamStep } from "../../../../functions/gateway/providers/types";

export const API_KEY = "sk-test-secret-123";

/** A target on the simulator (base URL with /v1, a fake key). */
export function simTarget(simUrl: string, type: ProviderType, model: string): ResolvedTarget {
  return { id: `sim/${model}`, provider: "sim", type, model, baseUrl: `${simUrl}/v1`, apiKey: API_KEY };
}

/** A chat request as the gateway receives it: validated by the public schema. */
export function chatRequest(fields: Record<string, unknown>): ChatCompletionRequest {
  return ChatCompletionRequestSchema.parse({ model: "client-alias", messages: [{ role: "user", content: "Tell me about gateways" }], ...fields });
}

/** Feeds every SSE event of `response` to `mapper` until it says done; returns the steps. */
export async function streamSteps(response: Response, mapper: StreamMapper): Promise<StreamStep[]> {
  if (!response.body) throw new Error("response has no body");
  const steps: StreamStep[] = [];
  for await (const event of readSseEvents(response.body)) {
    const step = mapper.mapStreamChunk(event);
    steps.push(step);
    if (step.done) break;
  }
  return steps;
}

export interface StreamSummary {
  chunks: ChatCompletionChunk[];
  content: string;
  finishReasons: (string | null)[];
  /** The last usage any step reported. */
  usage: Usage | undefined;
  done: boolean;
}

/** What a client would make of the mapped chunks. */
export function summarise(steps: StreamStep[]): StreamSummary {
  const chunks = steps.flatMap((step) => step.chunks);
  return {
    chunks,
    content: chunks.map((chunk) => chunk.choices.map((choice) => choice.delta.content ?? "").join("")).join(""),
    finishReasons: chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter((reason) => reason !== null),
    usage: steps.reduce<Usage | undefined>((last, step) => step.usage ?? last, undefined),
    done: steps.at(-1)?.done === true,
  };
}

/** Tool-call arguments per tool index, joined across stream deltas. */
export function streamedToolCalls(chunks: ChatCompletionChunk[]): { id?: string; name?: string; arguments: string }[] {
  const calls: { id?: string; name?: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? [])) {
      const call = (calls[delta.index] ??= { arguments: "" });
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name = delta.function.name;
      call.arguments += delta.function?.arguments ?? "";
    }
  }
  return calls;
}

export interface LoggedCall {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** The requests the simulator received for `model`, oldest first. */
export async function simLog(simUrl: string, model: string): Promise<LoggedCall[]> {
  const response = await fetch(`${simUrl}/__sim/log?model=${encodeURIComponent(model)}`);
  return (await response.json()) as LoggedCall[];
}

/** Scripts a simulator fault for one model. */
export async function setFault(simUrl: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${simUrl}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fault) });
  if (response.status !== 200) throw new Error(`setting fault failed: ${response.status} ${await response.text()}`);
}

/** A signal that never aborts. */
export const noSignal = () => new AbortController().signal;

/** One non-stream call through `adapter` to the simulator, expecting 200, mapped to OpenAI's shape. */
export async function completeVia(adapter: ProviderAdapter, simUrl: string, model: string, fields: Record<string, unknown> = {}) {
  const target = simTarget(simUrl, adapter.type, model);
  const request = chatRequest(fields);
  const response = await sendProviderRequest(adapter, request, target, {}, noSignal());
  expect(response.status).toBe(200);
  return adapter.mapResponse(await response.json(), target, request);
}

/** One streamed call through `adapter` to the simulator, expecting 200, as the mapper's steps. */
export async function streamVia(adapter: ProviderAdapter, simUrl: string, model: string, fields: Record<string, unknown> = {}) {
  const target = simTarget(simUrl, adapter.type, model);
  const request = chatRequest({ stream: true, ...fields });
  const response = await sendProviderRequest(adapter, request, target, {}, noSignal());
  expect(response.status).toBe(200);
  return streamSteps(response, adapter.createStreamMapper(target, request));
}
