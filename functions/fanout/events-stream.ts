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
      for (const event of page.events) {
        after = event.id;
        controller.enqueue(encoder.encode(encodeSseEvent({ id: String(event.id), event: event.type, data: JSON.stringify({ at: event.at, ...event.data }) })));
      }
      if (page.ended) controller.close();
      else if (page.events.length === 0) controller.enqueue(encoder.encode(": waiting\n\n"));
    },
  });
}
