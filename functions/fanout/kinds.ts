// Dispatch from a job's kind to the module that starts and advances it.
import type { JobSpec } from "@llm-edge/shared/jobs";
import { advanceFanout, startFanout } from "./fanout-kind";
import { advanceOrchestrate, startOrchestrate } from "./orchestrate-kind";
import { advanceReflect, startReflect } from "./reflect-kind";
import type { JobSession } from "./session";

export interface KindModule {
  /** Creates the job's first tasks. */
  start(session: JobSession): void;
  /** Looks at the tasks and adds the next ones, or finishes or fails the job. Must be idempotent. */
  advance(session: JobSession): void;
}

const KINDS: Record<JobSpec["kind"], KindModule> = {
  fanout: { start: startFanout, advance: advanceFanout },
  reflect: { start: startReflect, advance: advanceReflect },
  orchestrate: { start: startOrchestrate, advance: advanceOrchestrate },
};

export function kindOf(spec: JobSpec): KindModule {
  return KINDS[spec.kind];
}
