// Anthropic wire: POST /v1/messages (system, content blocks, tools, stop_sequences, max_tokens) and
// its SSE event sequence message_start … message_stop, answered by the shared generator.
import { z } from "zod";
import { countTokens, splitIntoDeltas } from "./content";
import { validationError } from "./errors";
import { generate, type Generation, type GenerationRequest, type OutputFormat, type ToolChoice } from "./generate";
import type { BuildOptions, ModelRoute } from "./route";
import { jsonEvent, type Plan, type SseEvent } from "./sse";

const fieldRequired = (message: string) => (issue: { input: unknown }) => (issue.input === undefined ? "Field required" : message);

const blockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
});

const messageSchema = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(blockSchema)]),
});

const messagesRequestSchema = z.looseObject({
  model: z.string({ error: fieldRequired("Input should be a valid string") }).min(1),
  max_tokens: z.number({ error: fieldRequired("Input should be a valid integer") }).int().min(1),
  messages: z.array(messageSchema, { error: fieldRequired("Input should be a valid list") }).min(1),
  system: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1), input_schema: z.record(z.string(), z.unknown()).optional() })).optional(),
  tool_choice: z.looseObject({ type: z.enum(["auto", "any", "tool", "none"]), name: z.string().optional() }).optional(),
  output_format: z.looseObject({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).optional(),
});

type MessagesRequest = z.infer<typeof messagesRequestSchema>;
type Block = z.infer<typeof blockSchema>;

function blockText(block: Block): string {
  if (block.type === "text") return block.text ?? "";
  if (block.type === "tool_use") return `${block.name ?? ""}(${JSON.stringify(block.input ?? {})})`;
  if (block.type === "tool_result") {
    return typeof block.content === "string" ? block.content : (block.content ?? []).map((part) => part.text ?? "").join("");
  }
  return "";
}

function contentText(content: string | Block[]): string {
  return typeof content === "string" ? content : content.map(blockText).filter(Boolean).join(" ");
}

function toolChoiceOf(choice: MessagesRequest["tool_choice"]): ToolChoice {
  if (choice?.type === "none") return { mode: "none" };
  if (choice?.type === "any") return { mode: "required" };
  if (choice?.type === "tool" && choice.name !== undefined) return { mode: "named", name: choice.name };
  return { mode: "auto" };
}

function toGenerationRequest(request: MessagesRequest, invalidOutput: boolean): GenerationRequest {
  const system = request.system === undefined ? "" : typeof request.system === "string" ? request.system : request.system.map((b) => b.text ?? "").join("\n");
  const lastUser = [...request.messages].reverse().find((message) => message.role === "user");
  const last = request.messages[request.messages.length - 1];
  const format: OutputFormat = request.output_format ? { kind: "json_schema", schema: request.output_format.schema } : { kind: "text" };
  return {
    model: request.model,
    inputText: [`system: ${system}`, ...request.messages.map((m) => `${m.role}: ${contentText(m.content)}`)].join("\n"),
    lastUserText: lastUser ? contentText(lastUser.content) : "",
    lastMessageIsToolResult: last?.role === "user" && Array.isArray(last.content) && last.content.some((b) => b.type === "tool_result"),
    tools: (request.tools ?? []).map((tool) => ({ name: tool.name, schema: tool.input_schema })),
    toolChoice: toolChoiceOf(request.tool_choice),
    format,
    stops: request.stop_sequences ?? [],
    maxTokens: request.max_tokens,
    invalidOutput,
  };
}

function stopReason(generation: Generation): string {
  if (generation.ending === "length") return "max_tokens";
  if (generation.kind === "tool") return "tool_use";
  return generation.ending === "stop" ? "stop_sequence" : "end_turn";
}

function toolInput(argumentsText: string): unknown {
  try {
    return JSON.parse(argumentsText) as unknown;
  } catch {
    return {};
  }
}

function buildPlan(request: MessagesRequest, options: BuildOptions): Plan {
  const { invalidOutput, output, requestId } = options;
  const generationRequest = { ...toGenerationRequest(request, invalidOutput), ...(output !== undefined ? { output } : {}) };
  const generation = generate(generationRequest, 0);
  const inputTokens = countTokens(generationRequest.inputText) + (request.tools ? countTokens(JSON.stringify(request.tools)) : 0);
  const outputTokens = countTokens(generation.kind === "tool" ? generation.arguments : generation.text);
  const id = `msg_${requestId.replace(/^req_sim_/, "sim")}`;
  const stopSequence = generation.kind === "text" ? generation.stopSequence : null;
  const cacheUsage = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const toolUseId = generation.kind === "tool" ? `toolu_${generation.id}` : "";

  if (!request.stream) {
    const content =
      generation.kind === "text"
        ? [{ type: "text", text: generation.text }]
        : [{ type: "tool_use", id: toolUseId, name: generation.name, input: toolInput(generation.arguments) }];
    return {
      kind: "json",
      body: {
        id,
        type: "message",
        role: "assistant",
        model: request.model,
        content,
        stop_reason: stopReason(generation),
        stop_sequence: stopSequence,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens, ...cacheUsage },
      },
    };
  }

  const blockStart =
    generation.kind === "text" ? { type: "text", text: "" } : { type: "tool_use", id: toolUseId, name: generation.name, input: {} };
  const deltas =
    generation.kind === "text"
      ? splitIntoDeltas(generation.text).map((text) => ({ type: "text_delta", text }))
      : splitIntoDeltas(generation.arguments).map((partial_json) => ({ type: "input_json_delta", partial_json }));
  const event = (data: { type: string } & Record<string, unknown>): SseEvent => jsonEvent(data, data.type);
  const events: SseEvent[] = [
    event({
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model: request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1, ...cacheUsage },
      },
    }),
    event({ type: "content_block_start", index: 0, content_block: blockStart }),
    event({ type: "ping" }),
    ...deltas.map((delta) => event({ type: "content_block_delta", index: 0, delta })),
    event({ type: "content_block_stop", index: 0 }),
    event({ type: "message_delta", delta: { stop_reason: stopReason(generation), stop_sequence: stopSequence }, usage: { output_tokens: outputTokens } }),
    event({ type: "message_stop" }),
  ];
  return { kind: "stream", events };
}

export const messagesRoute: ModelRoute = {
  wire: "anthropic",
  prepare(body) {
    const parsed = messagesRequestSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: validationError("anthropic", parsed.error) };
    const request = parsed.data;
    const choice = toolChoiceOf(request.tool_choice);
    if (choice.mode === "named" && !(request.tools ?? []).some((tool) => tool.name === choice.name)) {
      return { ok: false, error: { status: 400, message: `tool_choice: tool '${choice.name}' not found in tools` } };
    }
    return { ok: true, call: { build: (options) => buildPlan(request, options) } };
  },
};
