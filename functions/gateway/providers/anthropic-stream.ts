// Anthropic Messages SSE events → OpenAI chunks: message_start opens with the assistant role,
// text/tool-input deltas become content/tool_calls deltas (tool index per content block),
// message_delta carries finish_reason and usage, message_stop ends; an error event fails the stream.
import type { ChatCompletionChunk, ChatCompletionRequest, SseEvent } from "@llm-edge/shared";
import { z } from "zod";
import { AnthropicUsageSchema, finishReasonFor, protocolError } from "./anthropic-response";
import { clientWantsUsage, deltaChunk, unixSeconds, usageChunk, usageOf, type ChunkHead } from "./chunks";
import { parseJsonText, stringField } from "./json";
import { redactSecrets } from "./provider-error";
import { ProviderProtocolError, type ResolvedTarget, type StreamMapper, type StreamStep } from "./types";

const MessageStartSchema = z.looseObject({
  message: z.looseObject({ id: z.string(), model: z.string(), usage: AnthropicUsageSchema.optional() }),
});
const BlockStartSchema = z.looseObject({
  index: z.number().int(),
  content_block: z.looseObject({ type: z.string(), id: z.string().optional(), name: z.string().optional(), text: z.string().optional() }),
});
const BlockDeltaSchema = z.looseObject({
  index: z.number().int(),
  delta: z.looseObject({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }),
});
const MessageDeltaSchema = z.looseObject({
  delta: z.looseObject({ stop_reason: z.string().nullish() }),
  usage: AnthropicUsageSchema.optional(),
});

function parseEvent<T>(schema: z.ZodType<T>, value: unknown, type: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw protocolError(`${type} event`, parsed.error);
  return parsed.data;
}

const NOTHING: StreamStep = { chunks: [], done: false };

/**
 * Starts mapping one Anthropic stream (state: chunk head, tool index per content block, token
 * counts). ping, content_block_stop and unknown event types yield nothing. The usage-only chunk is
 * emitted after the finish chunk only when the client asked for include_usage; StreamStep.usage is
 * reported at message_delta either way.
 */
export function createAnthropicStreamMapper(target: ResolvedTarget, request: ChatCompletionRequest, now: () => number = Date.now): StreamMapper {
  const wantsUsage = clientWantsUsage(request);
  const toolIndexByBlock = new Map<number, number>();
  let head: ChunkHead | undefined;
  let inputTokens = 0;
  let outputTokens = 0;

  const started = (): ChunkHead => {
    if (head === undefined) throw new ProviderProtocolError("The provider's stream did not start with message_start.");
    return head;
  };
  const emit = (...chunks: ChatCompletionChunk[]): StreamStep => ({ chunks, done: false });

  function blockStart(value: unknown): StreamStep {
    const { index, content_block: block } = parseEvent(BlockStartSchema, value, "content_block_start");
    if (block.type === "tool_use") {
      if (block.id === undefined || block.name === undefined) throw new ProviderProtocolError("The provider's tool_use block has no id or name.");
      const toolIndex = toolIndexByBlock.size;
      toolIndexByBlock.set(index, toolIndex);
      return emit(deltaChunk(started(), { tool_calls: [{ index: toolIndex, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] }));
    }
    if (block.type === "text" && block.text) return emit(deltaChunk(started(), { content: block.text }));
    return NOTHING;
  }

  function blockDelta(value: unknown): StreamStep {
    const { index, delta } = parseEvent(BlockDeltaSchema, value, "content_block_delta");
    if (delta.type === "text_delta" && delta.text) return emit(deltaChunk(started(), { content: delta.text }));
    if (delta.type === "input_json_delta" && delta.partial_json) {
      const toolIndex = toolIndexByBlock.get(index);
      if (toolIndex === undefined) throw new ProviderProtocolError(`The provider sent tool input for block ${index}, which is not a tool_use block.`);
      return emit(deltaChunk(started(), { tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] }));
    }
    return NOTHING;
  }

  function messageDelta(value: unknown): StreamStep {
    const { delta, usage: reported } = parseEvent(MessageDeltaSchema, value, "message_delta");
    inputTokens = reported?.input_tokens ?? inputTokens;
    outputTokens = reported?.output_tokens ?? outputTokens;
    const usage = usageOf(inputTokens, outputTokens);
    const finish = deltaChunk(started(), {}, finishReasonFor(delta.stop_reason) ?? "stop");
    return { chunks: wantsUsage ? [finish, usageChunk(started(), usage)] : [finish], done: false, usage };
  }

  return {
    mapStreamChunk(event: SseEvent): StreamStep {
      const parsed = parseJsonText(event.data);
      const type = parsed.ok ? stringField(parsed.value, "type") : undefined;
      if (event.event === "error" || type === "error") {
        const error = parsed.ok && typeof parsed.value === "object" && parsed.value !== null && "error" in parsed.value ? parsed.value.error : undefined;
        const message = stringField(error, "message") ?? "unknown error";
        throw new ProviderProtocolError(`The provider failed mid-stream: ${redactSecrets(message, target.apiKey)}`);
      }
      if (!parsed.ok) throw new ProviderProtocolError("The provider sent a stream event that is not JSON.");
      switch (type) {
        case "message_start": {
          const { message } = parseEvent(MessageStartSchema, parsed.value, "message_start");
          head = { id: message.id, model: message.model, created: unixSeconds(now()) };
          inputTokens = message.usage?.input_tokens ?? 0;
          outputTokens = message.usage?.output_tokens ?? 0;
          return emit(deltaChunk(head, { role: "assistant", content: "" }));
        }
        case "content_block_start":
          return blockStart(parsed.value);
        case "content_block_delta":
          return blockDelta(parsed.value);
        case "message_delta":
          return messageDelta(parsed.value);
        case "message_stop":
          return { chunks: [], done: true };
        default:
          return NOTHING;
      }
    },
  };
}
