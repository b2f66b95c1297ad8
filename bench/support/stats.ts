// Shared figures and printing for the benchmarks in bench/: nearest-rank percentiles, a latency
// summary of a sample, and a plain aligned text table (first column left, the others right).

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Count, p50, p99 and mean of a sample (in whatever unit the sample is in). */
export function summarize(values: readonly number[]): LatencySummary {
  const mean = values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
  return { count: values.length, p50: percentile(values, 50), p99: percentile(values, 99), mean };
}

/**
 * Renders rows under a header as aligned text: the first column padded on the right, the others on
 * the left (numbers line up). Missing cells count as empty. Returns the lines joined with "\n".
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    widths.map((width, column) => (column === 0 ? (cells[column] ?? "").padEnd(width) : (cells[column] ?? "").padStart(width))).join("  ");
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** A number with fixed decimals, or "n/a" when it is not finite (missing peer, empty sample). */
export function fixed(value: number, decimals = 2): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : "n/a";
}
