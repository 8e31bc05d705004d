/** Percentiles of samples kept whole: the runs are small enough to sort. */

/** The nearest-rank percentile (0 < p ≤ 100) of values sorted ascending; NaN for none. */
function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** p50 and p99 of `values`, nearest-rank. */
export function summarise(values: readonly number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((left, right) => left - right);
  return { p50: percentileOfSorted(sorted, 50), p99: percentileOfSorted(sorted, 99) };
}
