// Incremental scanning of one streamed text (a choice's content or a tool call's arguments) with a
// carry-over window. Each delta is appended to the held text and the whole window is scanned again
// with some already-released text before it for context. Text is released only up to a safe cut:
// never inside the last HOLD_CHARS, the trailing unbroken token (a key or URL still growing), an
// unterminated private-key block, or any candidate match — so a value split across chunks is seen
// whole before any of it leaves. Released text is redacted; a block or escalate stops the stream.
// Scans run once per batch of new text, not per token.
import type { Direction } from "@llm-edge/shared";
import { assessText, type Decision } from "./engine";
import type { CompiledPolicy } from "./policy";
import { applyRedactions, type Redaction } from "./redact";

/** Always held back: longer than any multi-word pattern (spaced cards, IBANs, phones) plus its context. */
const HOLD_CHARS = 64;
/**
 * After a scan, scan again only once this much more is held: one scan per batch, not per token. The
 * first scan comes as soon as anything beyond HOLD_CHARS is held, so the answer's first words wait
 * for HOLD_CHARS only (about 16 tokens of a real model), not for a batch on top.
 */
const RELEASE_BATCH = 32;
/** Released text kept as left context for context words. */
const CONTEXT_CHARS = 64;
/** A single unbroken token is held at most this long before it is released anyway (scanned, redacted). */
const MAX_HOLD_CHARS = 4_096;
const PEM_BEGIN = "-----BEGIN";
const PEM_END = "-----END";

export interface WindowStep {
  /** Text to emit now, redacted. */
  release: string;
  /** Decisions about the released text (for logging). */
  decisions: Decision[];
  /** Set when a block or escalate decision fired: stop the stream. */
  stop?: Decision[];
  /** With `stop`: the scanned window the decisions' offsets refer to (for a masked review preview). */
  window?: string;
}

export class StreamWindow {
  private held = "";
  private context = "";
  /** Held length at which the next scan runs. */
  private scanAt = HOLD_CHARS + 1;
  private readonly memo = new Map<string, boolean>();

  constructor(
    private readonly compiled: CompiledPolicy,
    private readonly direction: Direction,
    private readonly salt: string,
  ) {}

  /**
   * Adds a delta; returns what can be released now. Until more than HOLD_CHARS are held nothing
   * could be released, so the scan waits (a secret in there is held, not missed); after a scan the
   * next waits for RELEASE_BATCH more characters, which keeps the CPU cost of a long answer low.
   */
  push(delta: string): WindowStep {
    this.held += delta;
    if (this.held.length < this.scanAt) return { release: "", decisions: [] };
    const step = this.step(false);
    this.scanAt = Math.max(this.held.length, HOLD_CHARS) + RELEASE_BATCH;
    return step;
  }

  /** The stream (or this text) ended: scan and release everything held. */
  flush(): WindowStep {
    return this.held.length === 0 ? { release: "", decisions: [] } : this.step(true);
  }

  private step(final: boolean): WindowStep {
    const offset = this.context.length;
    const text = this.context + this.held;
    const assessment = assessText(text, this.compiled, this.direction, "all", this.memo);
    const relevant = assessment.decisions.filter(({ finding }) => finding.end > offset || (finding.end === 0 && offset === 0));
    const stop = relevant.filter(({ rule }) => rule.action === "block" || rule.action === "escalate");
    if (stop.length > 0) return { release: "", decisions: relevant, stop, window: text };

    const cut = final ? text.length : this.safeCut(text, offset, assessment.candidates);
    if (cut <= offset) return { release: "", decisions: [] };
    const released = relevant.filter(({ finding }) => finding.start < cut);
    const redactions: Redaction[] = released
      .filter(({ rule, finding }) => rule.action === "redact" && finding.end > finding.start)
      .map(({ finding, rule }) => ({ start: Math.max(finding.start, offset) - offset, end: Math.min(finding.end, cut) - offset, type: finding.type, mode: rule.mode }));
    const raw = text.slice(offset, cut);
    this.held = text.slice(cut);
    this.context = (this.context + raw).slice(-CONTEXT_CHARS);
    return { release: applyRedactions(raw, redactions, this.salt), decisions: released };
  }

  /** The furthest point text may be released to without splitting anything that may still grow. */
  private safeCut(text: string, offset: number, candidates: ReadonlyArray<{ start: number; end: number }>): number {
    let cut = text.length - HOLD_CHARS;
    const lastSpace = Math.max(text.lastIndexOf(" "), text.lastIndexOf("\n"), text.lastIndexOf("\t"));
    cut = Math.min(cut, lastSpace + 1);
    const begin = text.lastIndexOf(PEM_BEGIN);
    if (begin >= offset && text.indexOf(PEM_END, begin) === -1) cut = Math.min(cut, begin);
    for (let moved = true; moved; ) {
      moved = false;
      for (const candidate of candidates) {
        if (candidate.start < cut && candidate.end > cut) {
          cut = candidate.start;
          moved = true;
        }
      }
    }
    const floor = text.length - MAX_HOLD_CHARS;
    return Math.max(cut, floor, offset);
  }
}
