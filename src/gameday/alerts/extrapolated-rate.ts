/**
 * `rate()` and `increase()` over one counter series, computed the way Prometheus 2.42 computes them
 * (promql/functions.go, `extrapolatedRate`), so the in-process burn rates equal the ones the
 * generated recording rules store:
 *
 * - at least two samples in the range, else no value (the series drops out of the sum);
 * - a drop in value is a counter reset: the value before the drop is added back;
 * - the increase between the first and last sample is extrapolated to the range boundaries when the
 *   samples reach within 1.1 average sample intervals of them, else by half an interval, and never
 *   further back than where the counter would have been zero;
 * - `rate` divides by the range, not by the sampled interval.
 *
 * Prometheus 2.51 (PR #13725) reordered the zero-point and threshold checks, which changes the
 * result only when the extrapolated zero point lies between half an interval and 1.1 intervals
 * before the first sample; we follow 2.42 because that is the Prometheus the game day runs.
 */
export type RateFunction = 'rate' | 'increase';

/** Samples of one series in ascending time order: `times[i]` (epoch ms) holds `values[i]`. */
export interface SampleColumns {
  readonly times: readonly number[];
  readonly values: readonly number[];
}

/**
 * The function's value over the samples `first..last` (inclusive indices, already cut to the range
 * `[rangeStartMs, rangeEndMs]`), or undefined with fewer than two samples.
 */
export function extrapolatedRate(
  columns: SampleColumns,
  first: number,
  last: number,
  rangeStartMs: number,
  rangeEndMs: number,
  fn: RateFunction,
): number | undefined {
  if (last - first < 1) return undefined;
  const { times, values } = columns;
  const firstT = times[first] ?? 0;
  const lastT = times[last] ?? 0;
  const firstV = values[first] ?? 0;
  let increase = (values[last] ?? 0) - firstV;
  for (let i = first + 1; i <= last; i++) {
    const previous = values[i - 1] ?? 0;
    if ((values[i] ?? 0) < previous) increase += previous;
  }

  const sampledSeconds = (lastT - firstT) / 1000;
  const averageInterval = sampledSeconds / (last - first);
  let toStart = (firstT - rangeStartMs) / 1000;
  const toEnd = (rangeEndMs - lastT) / 1000;
  if (increase > 0 && firstV >= 0) {
    // A counter cannot go below zero: do not extrapolate past the point where it would be zero.
    const toZero = sampledSeconds * (firstV / increase);
    if (toZero < toStart) toStart = toZero;
  }
  const threshold = averageInterval * 1.1;
  let extrapolated = sampledSeconds;
  extrapolated += toStart < threshold ? toStart : averageInterval / 2;
  extrapolated += toEnd < threshold ? toEnd : averageInterval / 2;

  const value = increase * (extrapolated / sampledSeconds);
  return fn === 'rate' ? value / ((rangeEndMs - rangeStartMs) / 1000) : value;
}
