// Wire-independent generation: decides between a text answer, a JSON answer and a tool call, and
// produces it deterministically from the normalised request (both wires map onto this).
import { SeededRandom, shapeText, shortHash, simulatedAnswer } from "./content";
import { nonConformingValue, valueForSchema } from "./json-schema";

export interface ToolSpec {
  name: string;
  schema: unknown;
}

export type ToolChoice = { mode: "auto" } | { mode: "none" } | { mode: "required" } | { mode: "named"; name: string };

export type OutputFormat = { kind: "text" } | { kind: "json_object" } | { kind: "json_schema"; schema: unknown };

export interface GenerationRequest {
  model: string;
  /** Every piece of input text, in order; the answer is a function of it. */
  inputText: string;
  lastUserText: string;
  lastMessageIsToolResult: boolean;
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  format: OutputFormat;
  stops: string[];
  maxTokens: number | undefined;
  invalidOutput: boolean;
  /** Canned output (the `output` fault): answered verbatim as text, whatever the format and tools. */
  output?: string;
}

export type Generation =
  | { kind: "text"; text: string; ending: "complete" | "stop" | "length"; stopSequence: string | null }
  | { kind: "tool"; id: string; name: string; arguments: string; ending: "complete" | "length" };

/**
 * The tool to call, if any: a forced tool always; otherwise (auto) the first tool, unless the
 * conversation just returned a tool result, in which case the model answers in text.
 */
function toolToCall(request: GenerationRequest): ToolSpec | undefined {
  const { tools, toolChoice } = request;
  if (tools.length === 0 || toolChoice.mode === "none") return undefined;
  if (toolChoice.mode === "named") return tools.find((tool) => tool.name === toolChoice.name);
  if (toolChoice.mode === "auto" && request.lastMessageIsToolResult) return undefined;
  return tools[0];
}

function answerText(request: GenerationRequest, random: SeededRandom, seed: string): string {
  const { format } = request;
  if (request.output !== undefined) return request.output;
  if (format.kind === "json_schema") {
    return JSON.stringify(request.invalidOutput ? nonConformingValue(format.schema) : valueForSchema(format.schema, random));
  }
  if (request.invalidOutput) return "";
  const answer = simulatedAnswer(request.model, seed, request.lastUserText);
  if (format.kind === "json_object") return JSON.stringify({ simulated: true, model: request.model, answer });
  return answer;
}

/** One choice of the simulated completion (choiceIndex varies the output for n > 1). */
export function generate(request: GenerationRequest, choiceIndex: number): Generation {
  const seed = `${request.inputText}\u0000${choiceIndex}`;
  const random = new SeededRandom(`${request.model}\u0000${seed}`);
  const tool = request.invalidOutput || request.output !== undefined ? undefined : toolToCall(request);
  if (tool) {
    const args = JSON.stringify(valueForSchema(tool.schema ?? { type: "object" }, random));
    const shaped = shapeText(args, [], request.maxTokens);
    return {
      kind: "tool",
      id: shortHash(`${request.model}\u0000${seed}\u0000${tool.name}`),
      name: tool.name,
      arguments: shaped.text,
      ending: shaped.ending === "length" ? "length" : "complete",
    };
  }
  const shaped = shapeText(answerText(request, random, seed), request.stops, request.maxTokens);
  return { kind: "text", ...shaped };
}
