import { describe, expect, it } from "vitest";
import { tapText } from "../../shared/stream-tap";

const encoder = new TextEncoder();

describe("tapText", () => {
  it("passes every chunk on unchanged and resolves with the whole text at the end", async () => {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        // "é" split across two chunks: the copy decodes it whole.
        const bytes = encoder.encode("data: café\n\n");
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      },
    });
    const tapped = tapText(source);
    expect(await new Response(tapped.stream).text()).toBe("data: café\n\ndata: [DONE]\n\n");
    expect(await tapped.copy).toEqual({ text: "data: café\n\ndata: [DONE]\n\n", complete: true });
  });

  it("cancels the source when the reader cancels, and reports the copy incomplete", async () => {
    let cancelled = false;
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode("data: more\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    const tapped = tapText(source);
    const reader = tapped.stream.getReader();
    await reader.read();
    await reader.cancel("client left");
    const copy = await tapped.copy;
    expect(copy.complete).toBe(false);
    expect(copy.text.startsWith("data: more\n\n")).toBe(true);
    expect(cancelled).toBe(true);
  });
});
