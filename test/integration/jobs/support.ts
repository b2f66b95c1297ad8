// Helpers for the jobs API tests: create a job, follow its SSE events to the end, read it.
import { readSseEvents } from "../../../shared/sse";
import { stack } from "../support";

export const NONCE = Math.random().toString(36).slice(2, 10);

export function jobsApi(path: string, init: RequestInit = {}, apiKey = stack.apiKey): Promise<Response> {
  return fetch(`${stack.edgeUrl}/v1/jobs${path}`, {
    ...init,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  });
}

export async function createJob(spec: Record<string, unknown>): Promise<string> {
  const response = await jobsApi("", { method: "POST", body: JSON.stringify(spec) });
  if (response.status !== 202) throw new Error(`create job: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export interface Event {
  id: string | undefined;
  type: string | undefined;
  data: Record<string, unknown>;
}

/** Reads the job's event stream until it ends (the job ended) or `until` matches an event. */
export async function followEvents(id: string, options: { lastEventId?: string; until?: (event: Event) => boolean } = {}): Promise<Event[]> {
  const response = await jobsApi(`/${id}/events`, { headers: options.lastEventId ? { "last-event-id": options.lastEventId } : {} });
  if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
  const events: Event[] = [];
  for await (const event of readSseEvents(response.body)) {
    const parsed = { id: event.id, type: event.event, data: JSON.parse(event.data) as Record<string, unknown> };
    events.push(parsed);
    if (options.until?.(parsed)) break;
  }
  return events;
}

export interface JobBody {
  status: string;
  reason?: string;
  costUsd: number;
  tokens: number;
  result?: { text: string; winner?: string; answers?: unknown[]; scores?: Record<string, number>; rounds?: number };
  plan?: { tasks: Array<{ id: string; prompt: string; model?: string; dependsOn: string[] }> };
  reviews?: Array<{ id: string; task: string; direction: string }>;
  tasks: Array<{
    id: string;
    role: string;
    status: string;
    attempts: number;
    dependsOn: string[];
    score?: number;
    startedAt?: number;
    endedAt?: number;
    review?: { id: string; direction: string; status: string };
    childJob?: string;
    tokens?: number;
  }>;
}

export async function getJob(id: string): Promise<JobBody> {
  const response = await jobsApi(`/${id}`);
  if (!response.ok) throw new Error(`get job: ${response.status}`);
  return (await response.json()) as JobBody;
}

/** Polls the job until `done` holds (or the deadline passes, which fails the test). */
export async function jobWhen(id: string, done: (job: JobBody) => boolean, timeoutMs = 20_000): Promise<JobBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(id);
    if (done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(job).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Follows the events to the end of the job and returns it. */
export async function finishedJob(id: string): Promise<JobBody> {
  await followEvents(id);
  return getJob(id);
}

export const say = (text: string) => [{ role: "user", content: `${text} (${NONCE})` }];
