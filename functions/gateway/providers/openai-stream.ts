// Maps an OpenAI-wire SSE stream to the chunks the client sees: `[DONE]` ends it, JSON chunks pass
// (validated, extras kept), an `{"error": …}` event mid-stream fails it, and the usage the gateway
// always asks for is reported to the executor but shown to the client only if it asked too.
import type { ChatCompletionChunk, ChatCompletionRequest, SseEvent } from "@llm-edge/shared";
import { clientWantsUsage, keepProviderJson } from "./chunks";
import { isRecord, parseJsonText, stringField } from "./json";
import { readChatCompletionChunk } from "./openai-wire";
import { plainTextMessage, redactSecrets } from "./provider-error";
import { ProviderProtocolError, type ResolvedTarget, type StreamMapper, type StreamStep } from "./types";

/** The message of an error a server sent inside a stream (`{"error": {...}}`, `{"error": "..."}` or plain text). */
function streamErrorMessage(value: unknown, rawData: string): string {
  const error = isRecord(value) ? value.error : undefined;
  const message = typeof error === "string" ? error : (stringField(error, "message") ?? stringField(value, "message"));
  return message ?? plainTextMessage(rawData, 500);
}

const NULL_USAGE_TAIL = ',"usage":null}';

function withoutUsage(chunk: ChatCompletionChunk): ChatCompletionChunk {
  const { usage: _usage, ...rest } = chunk;
  return rest;
}

/**
 * Starts mapping one OpenAI-wire stream. Per event: `data: [DONE]` → done; a JSON chunk → that
 * chunk; unparsable data → ProviderProtocolError; an error event → ProviderProtocolError with the
 * server's message (key redacted). A chunk carrying usage reports it in StreamStep.usage; unless the
 * client asked for include_usage, the usage-only chunk is dropped and usage fields are stripped.
 */
export function createOpenAiStreamMapper(target: ResolvedTarget, request: ChatCompletionRequest): StreamMapper {
  const wantsUsage = clientWantsUsage(request);
  return {
    mapStreamChunk(event: SseEvent): StreamStep {
      const data = event.data.trim();
      if (data === "[DONE]") return { chunks: [], done: true };
      if (data === "") return { chunks: [], done: false };
      const parsed = parseJsonText(data);
      if (event.event === "error" || (parsed.ok && isRecord(parsed.value) && parsed.value.error !== undefined && parsed.value.error !== null)) {
        const message = streamErrorMessage(parsed.ok ? parsed.value : undefined, data);
        throw new ProviderProtocolError(`The provider failed mid-stream: ${redactSecrets(message, target.apiKey)}`);
      }
      if (!parsed.ok) throw new ProviderProtocolError("The provider sent a stream event that is not JSON.");
      const chunk = readChatCompletionChunk(parsed.value, target);
      const unchanged = chunk === parsed.value;
      const usage = chunk.usage ?? undefined;
      if (wantsUsage || chunk.usage === undefined) {
        if (unchanged) keepProviderJson(chunk, data);
        return { chunks: [chunk], done: false, ...(usage ? { usage } : {}) };
      }
      if (usage && chunk.choices.length === 0) return { chunks: [], done: false, usage };
      const stripped = withoutUsage(chunk);
      // The `"usage":null` OpenAI puts last in every chunk once usage is asked for: cut from the text as sent.
      if (unchanged && chunk.usage === null && data.endsWith(NULL_USAGE_TAIL)) keepProviderJson(stripped, `${data.slice(0, -NULL_USAGE_TAIL.length)}}`);
      return { chunks: [stripped], done: false, ...(usage ? { usage } : {}) };
    },
  };
}
