// The job's progress as an SSE byte stream: pages of events from the coordinator (long-polled), each
// with its id so a client resumes with Last-Event-ID; the stream ends after the job's last event.
import { encodeSseEvent } from "@llm-edge/shared";
import type { JobEvent } from "@llm-edge/shared/jobs";

/** Fetches events after an id, waiting a while for new ones; undefined when the job is gone. */
export type EventPager = (afterId: number) => Promise<{ events: JobEvent[]; ended: boolean } | undefined>;

/** Streams events after `lastEventId` as SSE (`id`, `event` = type, `data` = JSON) until the job ends. */
export function jobEventStream(pager: EventPager, lastEventId: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after = lastEventId;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const page = await pager(after);
      if (!page) return controller.close();
      // One chunk per page: an outcome and what followed from it (a winner, its cancellations, the
      // job's end) reach the client together.
      const text = page.events.map((event) => encodeSseEvent({ id: String(event.id), event: event.type, data: JSON.stringify({ at: event.at, ...event.data }) })).join("");
      after = page.events.at(-1)?.id ?? after;
      if (text) controller.enqueue(encoder.encode(text));
      if (page.ended) controller.close();
      else if (page.events.length === 0) controller.enqueue(encoder.encode(": waiting\n\n"));
    },
  });
}
