// Converting between a chat completion and its OpenAI SSE form: replaying a cached answer as a
// stream, and assembling a streamed answer back into one completion (to cache it once it finished).
import { encodeSseEvent, readSseEvents } from "./sse";
import type { ChatCompletion, ChatCompletionChunk, ToolCall, Usage } from "./openai";

const REPLAY_CHUNK_CHARS = 32;
const encoder = new TextEncoder();

function chunk(completion: ChatCompletion, choices: ChatCompletionChunk["choices"], usage?: Usage): ChatCompletionChunk {
  return { id: completion.id, object: "chat.completion.chunk", created: completion.created, model: completion.model, choices, ...(usage ? { usage } : {}) };
}

/** The chunks a provider would have streamed for `completion`: role, content pieces, tool calls, finish, usage. */
export function completionToChunks(completion: ChatCompletion, includeUsage: boolean): ChatCompletionChunk[] {
  const chunks: ChatCompletionChunk[] = [];
  for (const choice of completion.choices) {
    const index = choice.index;
    chunks.push(chunk(completion, [{ index, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    const content = choice.message.content ?? "";
    for (let at = 0; at < content.length; at += REPLAY_CHUNK_CHARS) {
      chunks.push(chunk(completion, [{ index, delta: { content: content.slice(at, at + REPLAY_CHUNK_CHARS) }, finish_reason: null }]));
    }
    choice.message.tool_calls?.forEach((call, callIndex) => {
      chunks.push(chunk(completion, [{ index, delta: { tool_calls: [{ index: callIndex, id: call.id, type: "function", function: { name: call.function.name, arguments: call.function.arguments } }] }, finish_reason: null }]));
    });
    chunks.push(chunk(completion, [{ index, delta: {}, finish_reason: choice.finish_reason ?? "stop" }]));
  }
  if (includeUsage && completion.usage) chunks.push(chunk(completion, [], completion.usage));
  return chunks;
}

/** Replays a completion as an OpenAI SSE byte stream ending with [DONE]. */
export function completionToSseStream(completion: ChatCompletion, includeUsage: boolean): ReadableStream<Uint8Array> {
  const events = [...completionToChunks(completion, includeUsage).map((c) => encodeSseEvent({ data: JSON.stringify(c) })), "data: [DONE]\n\n"];
  return new ReadableStream({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(event));
      controller.close();
    },
  });
}

interface ChoiceDraft {
  content: string;
  toolCalls: Map<number, { id: string; name: string; arguments: string }>;
  finishReason: ChatCompletion["choices"][number]["finish_reason"];
}

/**
 * Reads an OpenAI SSE stream to its end and assembles the completion it carried. Returns undefined
 * unless the stream finished cleanly: a [DONE] after every choice had a finish_reason, and no error
 * event — an interrupted or failed stream must never be cached.
 */
export async function assembleCompletion(stream: ReadableStream<Uint8Array>): Promise<ChatCompletion | undefined> {
  const choices = new Map<number, ChoiceDraft>();
  let head: Pick<ChatCompletion, "id" | "created" | "model"> | undefined;
  let usage: Usage | undefined;
  let done = false;
  try {
    for await (const event of readSseEvents(stream)) {
      if (event.data === "[DONE]") {
        done = true;
        continue;
      }
      const parsed = JSON.parse(event.data) as Partial<ChatCompletionChunk> & { error?: unknown };
      if (parsed.error !== undefined || !Array.isArray(parsed.choices)) return undefined;
      head ??= { id: parsed.id ?? "", created: parsed.created ?? 0, model: parsed.model ?? "" };
      if (parsed.usage) usage = parsed.usage;
      for (const choice of parsed.choices) {
        const draft = choices.get(choice.index) ?? { content: "", toolCalls: new Map(), finishReason: null };
        choices.set(choice.index, draft);
        draft.content += choice.delta.content ?? "";
        for (const call of choice.delta.tool_calls ?? []) {
          const existing = draft.toolCalls.get(call.index) ?? { id: "", name: "", arguments: "" };
          draft.toolCalls.set(call.index, {
            id: call.id ?? existing.id,
            name: existing.name + (call.function?.name ?? ""),
            arguments: existing.arguments + (call.function?.arguments ?? ""),
          });
        }
        if (choice.finish_reason) draft.finishReason = choice.finish_reason;
      }
    }
  } catch {
    return undefined;
  }
  if (!done || !head || choices.size === 0 || [...choices.values()].some((choice) => choice.finishReason === null)) return undefined;
  return {
    ...head,
    object: "chat.completion",
    choices: [...choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, draft]) => {
        const toolCalls: ToolCall[] = [...draft.toolCalls.values()].map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
        return {
          index,
          message: { role: "assistant" as const, content: draft.content === "" && toolCalls.length ? null : draft.content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
          finish_reason: draft.finishReason,
        };
      }),
    ...(usage ? { usage } : {}),
  };
}
