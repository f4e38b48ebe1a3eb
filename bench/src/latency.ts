import type { Latency } from './results';

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // - 1e-9: 99.9 / 100 * 1000 is 999.0000000000001 in floating point, which must not round up to rank 1000.
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length - 1e-9) - 1));
  return sorted[i] as number;
}

/** Summary of raw samples in milliseconds. */
export function latencyOf(samples: readonly number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    p999: percentile(s, 99.9),
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
    max: s.at(-1) ?? NaN,
  };
}
