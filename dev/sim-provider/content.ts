// Deterministic simulated output: answers derived from a hash of the input, token counting
// (~4 characters per token), max-token truncation, stop sequences and splitting into stream deltas.
import { createHash } from "node:crypto";

const VOCABULARY = [
  "simulated", "answer", "latency", "gateway", "cache", "token", "stream", "river", "signal", "quiet",
  "bright", "careful", "window", "harbor", "pattern", "orbit", "module", "garden", "copper", "lantern",
  "summit", "meadow", "vector", "kernel", "ribbon", "anchor", "falcon", "ember", "canyon", "prism",
  "willow", "beacon", "circuit", "breaker", "retry", "fallback", "route", "budget", "shadow", "granite",
  "velvet", "thunder", "mosaic", "compass", "harvest", "silver", "marble", "puzzle", "ledger", "lattice",
  "horizon", "tide", "pebble", "forest", "candle", "feather", "echo", "crystal", "meridian", "cobalt",
  "saffron", "juniper", "quartz", "nimbus",
] as const;

const ECHO_LIMIT = 200;

/** A repeatable pseudo-random generator (mulberry32) seeded from a text. */
export class SeededRandom {
  private state: number;

  constructor(seedText: string) {
    this.state = createHash("sha256").update(seedText).digest().readUInt32LE(0);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  word(): string {
    return this.pick(VOCABULARY);
  }
}

/** A short stable hex digest, for deterministic ids. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 24);
}

/**
 * The simulated answer: a "[simulated <model>]" marker, an echo of the last user message and
 * 20-40 words picked by a hash of the whole input, so the same input always gives the same text.
 */
export function simulatedAnswer(model: string, seed: string, lastUserText: string): string {
  const random = new SeededRandom(`${model}\u0000${seed}`);
  const echo = lastUserText.length > ECHO_LIMIT ? `${lastUserText.slice(0, ECHO_LIMIT)}…` : lastUserText;
  const words = Array.from({ length: random.int(20, 40) }, () => random.word());
  const sentence = words.join(" ");
  return `[simulated ${model}] You said: "${echo.replace(/\s+/g, " ").trim()}". ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/** Simple deterministic token count: one token per 4 characters (rounded up). */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface ShapedText {
  text: string;
  /** "length" when cut by max tokens, "stop" when cut by a stop sequence, "complete" otherwise. */
  ending: "complete" | "stop" | "length";
  stopSequence: string | null;
}

/** Applies stop sequences (cut before the earliest one) and then the max-token limit. */
export function shapeText(text: string, stops: readonly string[], maxTokens: number | undefined): ShapedText {
  let shaped: ShapedText = { text, ending: "complete", stopSequence: null };
  let earliest = -1;
  for (const stop of stops) {
    if (stop.length === 0) continue;
    const at = text.indexOf(stop);
    if (at >= 0 && (earliest < 0 || at < earliest)) {
      earliest = at;
      shaped = { text: text.slice(0, at), ending: "stop", stopSequence: stop };
    }
  }
  if (maxTokens !== undefined && countTokens(shaped.text) > maxTokens) {
    return { text: shaped.text.slice(0, maxTokens * 4), ending: "length", stopSequence: null };
  }
  return shaped;
}

/** Splits text into stream deltas of about three words (words over 24 chars, e.g. JSON, in 16-char slices). */
export function splitIntoDeltas(text: string): string[] {
  const deltas: string[] = [];
  let group = "";
  let words = 0;
  const flush = () => {
    if (group.length > 0) deltas.push(group);
    group = "";
    words = 0;
  };
  for (const word of text.match(/\s*\S+\s*/g) ?? []) {
    if (word.length > 24) {
      flush();
      for (let at = 0; at < word.length; at += 16) deltas.push(word.slice(at, at + 16));
      continue;
    }
    group += word;
    words += 1;
    if (words === 3) flush();
  }
  flush();
  return deltas;
}
