// Guardrail detection quality and speed on the presidio-research synthetic set
// (../shared/eval/pii/synth-dataset-v2.json; skipped with a message when absent). Quality: per entity
// precision / recall / F1 beside Presidio's published figures. A prediction is a true positive when it
// has the gold span's type and overlaps it (each gold span matched once); predictions are the findings
// the default policy reports for input text (scores at or above the rule's minimum). The set labels
// URLs DOMAIN_NAME (every such span there is a full http(s) URL), so DOMAIN_NAME is scored as URL.
// Speed: p50/p99 of a full input check (all recognizers, injection, policy lists, redaction) on 1 KB,
// 10 KB and 100 KB texts built from the set's sentences, and throughput. Run: `npx tsx bench/guardrail.bench.ts`.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { GuardrailConfigSchema } from "../shared/guardrail-config";
import { assessText, redactText } from "../functions/guardrail/engine";
import { resolvePolicy } from "../functions/guardrail/policy";
import { fixed, formatTable, summarize } from "./support/stats";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const DATASET = join(root, "..", "shared", "eval", "pii", "synth-dataset-v2.json");

const DatasetSchema = z.array(
  z.object({
    full_text: z.string(),
    spans: z.array(z.object({ entity_type: z.string(), start_position: z.number().int(), end_position: z.number().int() })),
  }),
);

/** Presidio's published recall / precision on this set. */
const PRESIDIO: Record<string, { recall: number; precision: number }> = {
  CREDIT_CARD: { recall: 0.77, precision: 1.0 },
  PHONE_NUMBER: { recall: 0.25, precision: 0.41 },
  EMAIL_ADDRESS: { recall: 1.0, precision: 1.0 },
  URL: { recall: 1.0, precision: 1.0 },
  IBAN_CODE: { recall: 1.0, precision: 1.0 },
  US_SSN: { recall: 1.0, precision: 1.0 },
  IP_ADDRESS: { recall: 0.93, precision: 1.0 },
};
const GOLD_TYPE_MAP: Record<string, string> = { DOMAIN_NAME: "URL" };
const NOTES: Record<string, string> = { DATE_TIME: "dates of birth only (plain dates score below the policy minimum by design)" };

interface Span {
  type: string;
  start: number;
  end: number;
}
interface EntityCounts {
  gold: number;
  predicted: number;
  matchedGold: number;
  truePredictions: number;
}

export interface GuardrailBenchResult {
  records: number;
  entities: Record<string, EntityCounts & { precision: number; recall: number; f1: number }>;
  speed: Array<{ label: string; bytes: number; p50Ms: number; p99Ms: number; mbPerSecond: number }>;
}

const compiled = resolvePolicy(GuardrailConfigSchema.parse({}), { tenant: "bench" });

function predict(text: string): Span[] {
  return assessText(text, compiled, "input", "all")
    .decisions.filter((decision) => decision.finding.check === "pii")
    .map(({ finding }) => ({ type: finding.type, start: finding.start, end: finding.end }));
}

function scoreQuality(records: z.infer<typeof DatasetSchema>): GuardrailBenchResult["entities"] {
  const counts = new Map<string, EntityCounts>();
  const entry = (type: string) => counts.get(type) ?? (counts.set(type, { gold: 0, predicted: 0, matchedGold: 0, truePredictions: 0 }), counts.get(type)!);
  for (const record of records) {
    const gold: Span[] = record.spans.map((span) => ({ type: GOLD_TYPE_MAP[span.entity_type] ?? span.entity_type, start: span.start_position, end: span.end_position }));
    const predicted = predict(record.full_text);
    const used = new Set<Span>();
    for (const prediction of predicted) {
      const counts = entry(prediction.type);
      counts.predicted += 1;
      const match = gold.find((span) => span.type === prediction.type && span.start < prediction.end && prediction.start < span.end);
      if (match) counts.truePredictions += 1;
      if (match && !used.has(match)) {
        used.add(match);
        counts.matchedGold += 1;
      }
    }
    for (const span of gold) if (counts.has(span.type) || span.type in PRESIDIO || span.type === "US_DRIVER_LICENSE" || span.type === "DATE_TIME") entry(span.type).gold += 1;
  }
  return Object.fromEntries(
    [...counts].map(([type, c]) => {
      const precision = c.predicted === 0 ? Number.NaN : c.truePredictions / c.predicted;
      const recall = c.gold === 0 ? Number.NaN : c.matchedGold / c.gold;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return [type, { ...c, precision, recall, f1 }];
    }),
  );
}

/** A text of `bytes` UTF-8 bytes (about) made of the set's sentences from `offset` on. */
function textOfSize(records: z.infer<typeof DatasetSchema>, bytes: number, offset: number): string {
  let text = "";
  for (let i = offset; new TextEncoder().encode(text).length < bytes; i++) text += `${records[i % records.length]!.full_text}\n`;
  return text.slice(0, bytes);
}

function measureSpeed(records: z.infer<typeof DatasetSchema>): GuardrailBenchResult["speed"] {
  const sizes = [
    { label: "1 KB", bytes: 1_024, iterations: 3_000 },
    { label: "10 KB", bytes: 10_240, iterations: 400 },
    { label: "100 KB", bytes: 102_400, iterations: 60 },
  ];
  return sizes.map(({ label, bytes, iterations }) => {
    const texts = Array.from({ length: 20 }, (_, index) => textOfSize(records, bytes, index * 37));
    const check = (text: string) => redactText(text, assessText(text, compiled, "input", "all").decisions, "bench");
    for (let i = 0; i < Math.min(200, iterations); i++) check(texts[i % texts.length]!);
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const text = texts[i % texts.length]!;
      const started = performance.now();
      check(text);
      samples.push(performance.now() - started);
    }
    const summary = summarize(samples);
    return { label, bytes, p50Ms: summary.p50, p99Ms: summary.p99, mbPerSecond: bytes / 1_048_576 / (summary.mean / 1_000) };
  });
}

export function run(): GuardrailBenchResult | undefined {
  if (!existsSync(DATASET)) return undefined;
  const records = DatasetSchema.parse(JSON.parse(readFileSync(DATASET, "utf8")));
  return { records: records.length, entities: scoreQuality(records), speed: measureSpeed(records) };
}

function printResult(result: GuardrailBenchResult): void {
  const rows = Object.entries(result.entities)
    .sort(([a], [b]) => (a in PRESIDIO ? 0 : 1) - (b in PRESIDIO ? 0 : 1) || a.localeCompare(b))
    .map(([type, e]) => {
      const presidio = PRESIDIO[type];
      const presidioF1 = presidio ? (2 * presidio.precision * presidio.recall) / (presidio.precision + presidio.recall) : Number.NaN;
      const verdict = !presidio ? NOTES[type] ?? (e.gold === 0 ? "no gold spans: every prediction is a false positive" : "") : e.precision >= presidio.precision && e.recall >= presidio.recall ? ">= Presidio" : "below Presidio";
      return [type, String(e.gold), String(e.predicted), fixed(e.precision), fixed(e.recall), fixed(e.f1), fixed(presidio?.precision ?? Number.NaN), fixed(presidio?.recall ?? Number.NaN), fixed(presidioF1), verdict];
    });
  console.log(`Guardrail PII detection on synth-dataset-v2 (${result.records} records; span match = same type + overlap; DOMAIN_NAME scored as URL)`);
  console.log(formatTable(["entity", "gold", "predicted", "precision", "recall", "F1", "Presidio P", "Presidio R", "Presidio F1", ""], rows));
  console.log("\nFull input check latency (all recognizers, injection, policy lists, redaction), default policy");
  console.log(formatTable(["text", "p50 ms", "p99 ms", "MB/s"], result.speed.map((s) => [s.label, fixed(s.p50Ms, 3), fixed(s.p99Ms, 3), fixed(s.mbPerSecond, 1)])));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = run();
  if (!result) {
    console.log(`Skipped: the evaluation set ${DATASET} is not there (it lives in the shared folder beside the checkout).`);
  } else {
    printResult(result);
  }
  process.exit(0);
}
