// Workers AI SSE (`data: {"response":"…"}` … `data: [DONE]`) → OpenAI chunks. Workers AI sends no
// role, id or finish reason, so the first chunk adds the role and `[DONE]` adds the finish chunk (and
// the usage chunk when the client asked). Streams already in OpenAI's chunk shape pass to that mapper.
import type { ChatCompletionChunk, ChatCompletionRequest, SseEvent, Usage } from "@llm-edge/shared";
import { clientWantsUsage, deltaChunk, unixSeconds, usageChunk, type ChunkDelta, type ChunkHead } from "./chunks";
import { isRecord, parseJsonText, stringField } from "./json";
import { createOpenAiStreamMapper } from "./openai-stream";
import { redactSecrets } from "./provider-error";
import { ProviderProtocolError, type ResolvedTarget, type StreamMapper, type StreamStep } from "./types";
import { toOpenAiToolCall, workersAiUsage, WorkersAiResultSchema } from "./workers-ai-wire";

/**
 * Starts mapping one Workers AI stream. Text pieces become content deltas, tool calls become
 * complete tool_calls deltas, usage (sent on the last event) is reported in StreamStep.usage, and
 * `[DONE]` yields the finish chunk ("tool_calls" when the model called a tool, else "stop").
 */
export function createWorkersAiStreamMapper(target: ResolvedTarget, request: ChatCompletionRequest, now: () => number = Date.now): StreamMapper {
  const wantsUsage = clientWantsUsage(request);
  const head: ChunkHead = { id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`, created: unixSeconds(now()), model: target.model };
  let openAiShaped: StreamMapper | undefined;
  let started = false;
  let toolCallCount = 0;
  let usage: Usage | undefined;

  function finish(): StreamStep {
    const chunks: ChatCompletionChunk[] = started ? [] : [deltaChunk(head, { role: "assistant", content: "" })];
    chunks.push(deltaChunk(head, {}, toolCallCount > 0 ? "tool_calls" : "stop"));
    if (wantsUsage && usage) chunks.push(usageChunk(head, usage));
    return { chunks, done: true, ...(usage ? { usage } : {}) };
  }

  function piece(value: unknown): StreamStep {
    const parsed = WorkersAiResultSchema.safeParse(value);
    if (!parsed.success) throw new ProviderProtocolError("Workers AI sent a stream event that is not in its format.");
    const { response, tool_calls: toolCalls, usage: reported } = parsed.data;
    if (reported) usage = workersAiUsage(reported);
    const delta: ChunkDelta = started ? {} : { role: "assistant" };
    const text = typeof response === "string" ? response : "";
    if (text !== "") delta.content = text;
    const calls = (toolCalls ?? []).flatMap((call) => toOpenAiToolCall(call) ?? []);
    if (calls.length > 0) {
      delta.tool_calls = calls.map((call) => ({ index: toolCallCount++, id: call.id, type: "function", function: call.function }));
    }
    const step = usage ? { usage } : {};
    if (Object.keys(delta).length === 0) return { chunks: [], done: false, ...step };
    started = true;
    return { chunks: [deltaChunk(head, delta)], done: false, ...step };
  }

  return {
    mapStreamChunk(event: SseEvent): StreamStep {
      if (openAiShaped) return openAiShaped.mapStreamChunk(event);
      const data = event.data.trim();
      if (data === "[DONE]") return finish();
      if (data === "") return { chunks: [], done: false };
      const parsed = parseJsonText(data);
      if (!parsed.ok) throw new ProviderProtocolError("Workers AI sent a stream event that is not JSON.");
      const value = parsed.value;
      if (isRecord(value) && value.error !== undefined && value.error !== null) {
        const message = typeof value.error === "string" ? value.error : (stringField(value.error, "message") ?? "unknown error");
        throw new ProviderProtocolError(`Workers AI failed mid-stream: ${redactSecrets(message, target.apiKey)}`);
      }
      if (!started && isRecord(value) && Array.isArray(value.choices)) {
        openAiShaped = createOpenAiStreamMapper(target, request);
        return openAiShaped.mapStreamChunk(event);
      }
      return piece(value);
    },
  };
}
