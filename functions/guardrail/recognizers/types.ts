// What every recognizer is: a named scan that appends scored candidates (type, UTF-16 span, score,
// rule) to a shared list. Candidates are confirmed by validators inside the recognizer; scoring
// against policy thresholds and overlap resolution happen in the engine.
import type { Finding } from "@llm-edge/shared";

export type Candidate = Finding;

export interface ScanOptions {
  /** Regions whose national phone formats validate without a "+" prefix. */
  phoneRegions: readonly string[];
  /** Remembers costly validations across scans of overlapping text (one stream window's). */
  memo?: Map<string, boolean>;
}

export interface Recognizer {
  /** Short name for logs and benchmarks, e.g. "credit-card". */
  readonly name: string;
  /** Appends the candidates found in `text` to `out`; never throws on odd input. */
  scan(text: string, out: Candidate[], options: ScanOptions): void;
}
