export interface Stats {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** Median, 90th percentile and range, rounded to 0.1 (milliseconds, mostly). */
export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number): number => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
  const round = (value: number): number => Math.round(value * 10) / 10;
  return { n: sorted.length, median: round(at(0.5)), p90: round(at(0.9)), min: round(sorted[0] ?? NaN), max: round(sorted[sorted.length - 1] ?? NaN) };
}
