// The fault contract of the simulated provider: what `POST /__sim/faults` accepts and how a stored
// fault is consumed per call (`times` = that many faulted calls, then the fault is removed).
import { z } from "zod";

export const faultSchema = z.strictObject({
  model: z.string().min(1),
  status: z.number().int().min(400).max(599).optional(),
  retryAfter: z.number().min(0).optional(),
  latencyMs: z.number().int().min(0).optional(),
  hang: z.boolean().optional(),
  firstTokenDelayMs: z.number().int().min(0).optional(),
  cutAfterChunks: z.number().int().min(0).optional(),
  /** A stream's events after the first come this many ms apart (a model generating slowly). */
  chunkDelayMs: z.number().int().min(0).max(10_000).optional(),
  malformed: z.boolean().optional(),
  invalidOutput: z.boolean().optional(),
  /** Canned output: the answer's text content, verbatim, instead of the generated one (no tool call). */
  output: z.string().max(100_000).optional(),
  times: z.number().int().min(1).optional(),
});

export type Fault = z.infer<typeof faultSchema>;

/** Faults by model; posting a fault for a model replaces the previous one. */
export class FaultStore {
  private readonly faults = new Map<string, Fault>();

  set(fault: Fault): Fault {
    this.faults.set(fault.model, { ...fault });
    return fault;
  }

  /** The fault that applies to this call (a snapshot), counting it against `times`. */
  take(model: string): Fault | undefined {
    const fault = this.faults.get(model);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      const remaining = fault.times - 1;
      if (remaining <= 0) this.faults.delete(model);
      else this.faults.set(model, { ...fault, times: remaining });
    }
    return fault;
  }

  list(): Record<string, Fault> {
    return Object.fromEntries(this.faults);
  }

  clear(model?: string): void {
    if (model === undefined) this.faults.clear();
    else this.faults.delete(model);
  }
}
