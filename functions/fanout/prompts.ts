// Requests the coordinator builds for its own steps: template branches, synthesis, judge and critic
// calls with structured answers, the reviser's follow-up, and the planner, its repair and its workers.
// One place for the wording.
import type { ChatCompletionRequest, ChatMessage } from "@llm-edge/shared";
import type { JobSpec } from "@llm-edge/shared/jobs";
import { PLAN_JSON_SCHEMA } from "./plan";
import { JUDGE_JSON_SCHEMA } from "./strategies";

/** Fills "{{input}}" in every text of a template conversation. */
export function fillTemplate(messages: ChatMessage[], input: string): ChatMessage[] {
  const fill = (text: string) => text.replaceAll("{{input}}", input);
  return messages.map((message) => {
    if (typeof message.content === "string") return { ...message, content: fill(message.content) } as ChatMessage;
    if (Array.isArray(message.content)) {
      const parts = message.content.map((part) => ("text" in part && typeof part.text === "string" ? { ...part, text: fill(part.text) } : part));
      return { ...message, content: parts } as ChatMessage;
    }
    return message;
  });
}

/** The text of the last user message of a conversation (the question a branch answered). */
export function lastUserText(messages: ChatMessage[]): string {
  const last = [...messages].reverse().find((message) => message.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  return last.content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join(" ");
}

function numbered(answers: Array<{ task: string; text: string }>): string {
  return answers.map((answer) => `### ${answer.task}\n${answer.text}`).join("\n\n");
}

export function synthesisRequest(model: string, prompt: string, answers: Array<{ task: string; text: string }>): ChatCompletionRequest {
  return {
    model,
    messages: [
      { role: "system", content: prompt },
      { role: "user", content: `Combine these answers into one:\n\n${numbered(answers)}` },
    ],
  };
}

export function judgeRequest(model: string, criteria: string | undefined, question: string, answer: string): ChatCompletionRequest {
  const rules = criteria ? ` Criteria: ${criteria}` : "";
  return {
    model,
    messages: [
      { role: "system", content: `You are a strict judge. Score the answer from 0 (useless) to 10 (perfect).${rules} Reply with JSON {"score": number, "reason": string}.` },
      { role: "user", content: `Question:\n${question}\n\nAnswer:\n${answer}` },
    ],
    response_format: { type: "json_schema", json_schema: { name: "verdict", schema: { ...JUDGE_JSON_SCHEMA }, strict: true } },
  };
}

/** The critic's structured verdict. */
export const CRITIC_JSON_SCHEMA = {
  type: "object",
  properties: { pass: { type: "boolean" }, feedback: { type: "string" } },
  required: ["pass", "feedback"],
  additionalProperties: false,
} as const;

export function criticRequest(model: string, rubric: string, question: string, answer: string): ChatCompletionRequest {
  return {
    model,
    messages: [
      { role: "system", content: `You review answers against this rubric:\n${rubric}\nReply with JSON {"pass": boolean, "feedback": string}.` },
      { role: "user", content: `Task:\n${question}\n\nAnswer to review:\n${answer}` },
    ],
    response_format: { type: "json_schema", json_schema: { name: "critique", schema: { ...CRITIC_JSON_SCHEMA }, strict: true } },
  };
}

export function reviserRequest(model: string, task: ChatMessage[], rubric: string, answer: string, feedback: string): ChatCompletionRequest {
  return {
    model,
    messages: [
      ...task,
      { role: "assistant", content: answer },
      { role: "user", content: `A reviewer checked your answer against this rubric:\n${rubric}\n\nFeedback:\n${feedback}\n\nWrite the improved answer.` },
    ],
  };
}

/** What a child-job task shows as its request (it makes no model call itself): the kind as its model. */
export function childJobRequest(spec: JobSpec): ChatCompletionRequest {
  return { model: `job:${spec.kind}`, messages: [{ role: "user", content: `a child ${spec.kind} job` }] };
}

/** The planner's call: split the goal into tasks, answering with a plan (PLAN_JSON_SCHEMA). */
export function plannerRequest(model: string, instructions: string | undefined, goal: string, maxTasks: number): ChatCompletionRequest {
  const extra = instructions ? `\n${instructions}` : "";
  return {
    model,
    messages: [
      {
        role: "system",
        content:
          `You plan work for a team of workers. Split the goal into at most ${maxTasks} tasks, each with a unique id, a prompt and the ids of the tasks whose answers it needs (dependsOn). ` +
          `Tasks without dependencies run in parallel; no cycles. Reply with JSON {"tasks": [{"id", "prompt", "dependsOn", "model"?}]}.${extra}`,
      },
      { role: "user", content: `Goal:\n${goal}` },
    ],
    response_format: { type: "json_schema", json_schema: { name: "plan", schema: structuredClone(PLAN_JSON_SCHEMA) as unknown as Record<string, unknown>, strict: false } },
  };
}

/** Asks the planner once more, showing its invalid answer and what is wrong with it. */
export function planRepairRequest(planner: ChatCompletionRequest, answer: string, error: string): ChatCompletionRequest {
  return {
    ...planner,
    messages: [...planner.messages, { role: "assistant", content: answer }, { role: "user", content: `That plan is not valid: ${error}. Reply with a corrected plan.` }],
  };
}

/** One task of a plan, for its worker: the goal as context and the task's own prompt. */
export function workerRequest(model: string, goal: string, prompt: string): ChatCompletionRequest {
  return {
    model,
    messages: [
      { role: "system", content: `You are one worker of a team. The team's goal:\n${goal}` },
      { role: "user", content: prompt },
    ],
  };
}
