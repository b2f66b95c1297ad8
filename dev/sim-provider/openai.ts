// OpenAI wire: POST /v1/chat/completions (non-stream and SSE `chat.completion.chunk` streams with
// tools, response_format, n, stop, max tokens and include_usage), answered by the shared generator.
import { z } from "zod";
import { countTokens, splitIntoDeltas } from "./content";
import { validationError } from "./errors";
import { generate, type Generation, type GenerationRequest, type OutputFormat, type ToolChoice } from "./generate";
import { unixSeconds, type BuildOptions, type ModelRoute } from "./route";
import { jsonEvent, type Plan, type SseEvent } from "./sse";

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const messageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"]),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  tool_calls: z
    .array(z.looseObject({ function: z.looseObject({ name: z.string(), arguments: z.string() }).optional() }))
    .nullish(),
});

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  n: z.number().int().min(1).max(128).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z
    .array(
      z.looseObject({
        type: z.string(),
        function: z
          .looseObject({ name: z.string().min(1), parameters: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .nullish(),
  tool_choice: z
    .union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string(), function: z.object({ name: z.string() }).optional() })])
    .nullish(),
  response_format: z
    .looseObject({
      type: z.enum(["text", "json_object", "json_schema"]),
      json_schema: z.looseObject({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional() }).optional(),
    })
    .nullish(),
});

type ChatRequest = z.infer<typeof chatRequestSchema>;
type ChatMessage = z.infer<typeof messageSchema>;

function messageText(message: ChatMessage): string {
  const { content } = message;
  const text = typeof content === "string" ? content : (content ?? []).map((part) => part.text ?? "").join("");
  const calls = (message.tool_calls ?? []).map((call) => `${call.function?.name ?? ""}(${call.function?.arguments ?? ""})`);
  return [text, ...calls].filter(Boolean).join(" ");
}

function toolChoiceOf(choice: ChatRequest["tool_choice"]): ToolChoice {
  if (choice === "none") return { mode: "none" };
  if (choice === "required") return { mode: "required" };
  if (typeof choice === "object" && choice?.function) return { mode: "named", name: choice.function.name };
  return { mode: "auto" };
}

function formatOf(format: ChatRequest["response_format"]): OutputFormat {
  if (format?.type === "json_object") return { kind: "json_object" };
  if (format?.type === "json_schema") return { kind: "json_schema", schema: format.json_schema?.schema ?? {} };
  return { kind: "text" };
}

function toGenerationRequest(request: ChatRequest, invalidOutput: boolean): GenerationRequest {
  const lastUser = [...request.messages].reverse().find((message) => message.role === "user");
  const last = request.messages[request.messages.length - 1];
  const tools = (request.tools ?? []).flatMap((tool) => (tool.function ? [{ name: tool.function.name, schema: tool.function.parameters }] : []));
  return {
    model: request.model,
    inputText: request.messages.map((message) => `${message.role}: ${messageText(message)}`).join("\n"),
    lastUserText: lastUser ? messageText(lastUser) : "",
    lastMessageIsToolResult: last?.role === "tool" || last?.role === "function",
    tools,
    toolChoice: toolChoiceOf(request.tool_choice),
    format: formatOf(request.response_format),
    stops: request.stop === undefined || request.stop === null ? [] : typeof request.stop === "string" ? [request.stop] : request.stop,
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    invalidOutput,
  };
}

function finishReason(generation: Generation): string {
  if (generation.ending === "length") return "length";
  return generation.kind === "tool" ? "tool_calls" : "stop";
}

function completionTokens(generation: Generation): number {
  return countTokens(generation.kind === "tool" ? generation.arguments : generation.text);
}

function message(generation: Generation): Record<string, unknown> {
  if (generation.kind === "text") return { role: "assistant", content: generation.text, refusal: null };
  return {
    role: "assistant",
    content: null,
    refusal: null,
    tool_calls: [{ id: `call_${generation.id}`, type: "function", function: { name: generation.name, arguments: generation.arguments } }],
  };
}

function choiceDeltas(generation: Generation): Record<string, unknown>[] {
  if (generation.kind === "text") {
    return [{ role: "assistant", content: "", refusal: null }, ...splitIntoDeltas(generation.text).map((content) => ({ content }))];
  }
  return [
    { role: "assistant", content: null, refusal: null },
    { tool_calls: [{ index: 0, id: `call_${generation.id}`, type: "function", function: { name: generation.name, arguments: "" } }] },
    ...splitIntoDeltas(generation.arguments).map((piece) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
  ];
}

function buildPlan(request: ChatRequest, options: BuildOptions): Plan {
  const { invalidOutput, output, requestId } = options;
  const generationRequest = { ...toGenerationRequest(request, invalidOutput), ...(output !== undefined ? { output } : {}) };
  const generations = Array.from({ length: request.n ?? 1 }, (_, index) => generate(generationRequest, index));
  const promptTokens = countTokens(generationRequest.inputText) + (request.tools ? countTokens(JSON.stringify(request.tools)) : 0);
  const completion = generations.reduce((sum, generation) => sum + completionTokens(generation), 0);
  const usage = { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
  const head = { id: `chatcmpl-${requestId.replace(/^req_sim_/, "sim")}`, created: unixSeconds(), model: request.model };

  if (!request.stream) {
    const choices = generations.map((generation, index) => ({
      index,
      message: message(generation),
      logprobs: null,
      finish_reason: finishReason(generation),
    }));
    return { kind: "json", body: { ...head, object: "chat.completion", choices, usage, system_fingerprint: "fp_simulated" } };
  }

  const includeUsage = request.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): SseEvent =>
    jsonEvent({
      ...head,
      object: "chat.completion.chunk",
      system_fingerprint: "fp_simulated",
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
  const events: SseEvent[] = generations.flatMap((generation, index) => [
    ...choiceDeltas(generation).map((delta) => chunk([{ index, delta, logprobs: null, finish_reason: null }])),
    chunk([{ index, delta: {}, logprobs: null, finish_reason: finishReason(generation) }]),
  ]);
  if (includeUsage) events.push(chunk([], { usage }));
  events.push({ data: "[DONE]" });
  return { kind: "stream", events };
}

export const chatCompletionsRoute: ModelRoute = {
  wire: "openai",
  prepare(body) {
    const parsed = chatRequestSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: validationError("openai", parsed.error) };
    const request = parsed.data;
    if (request.response_format?.type === "json_schema" && !request.response_format.json_schema?.schema) {
      return { ok: false, error: { status: 400, message: "Missing required parameter: 'response_format.json_schema.schema'.", param: "response_format.json_schema.schema", code: "missing_required_parameter" } };
    }
    const choice = toolChoiceOf(request.tool_choice);
    const toolNames = (request.tools ?? []).flatMap((tool) => (tool.function ? [tool.function.name] : []));
    if (choice.mode === "named" && !toolNames.includes(choice.name)) {
      return { ok: false, error: { status: 400, message: `Invalid value for 'tool_choice': no function named '${choice.name}' was specified in the 'tools' parameter.`, param: "tool_choice" } };
    }
    if (choice.mode === "required" && toolNames.length === 0) {
      return { ok: false, error: { status: 400, message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", param: "tool_choice" } };
    }
    return { ok: true, call: { build: (options) => buildPlan(request, options) } };
  },
};
