import { selects } from '../../slo/rules/label-synthesis.js';
import type { Selector } from '../../slo/rules/promql-linear.js';
import { seriesKey, type ExpositionSample } from './exposition.js';
import { extrapolatedRate, type RateFunction } from './extrapolated-rate.js';

/**
 * The counter samples an evaluator needs, per series, and nothing else: only series that one of
 * the SLI selectors reads are kept, and samples older than `retentionMs` before the newest scrape
 * are dropped, so memory stays bounded over a run of any length.
 */
export interface CounterStore {
  /** Appends one scrape taken at `atMs` (a sample's own timestamp wins, as Prometheus honours it). */
  ingest(samples: readonly ExpositionSample[], atMs: number): void;
  /**
   * `sum(fn(selector[window]))` at `atMs`: the range is `[atMs - windowMs, atMs]`, both ends
   * included as in Prometheus 2.x. Undefined when no series has two samples there (an empty vector).
   */
  sum(selector: Selector, fn: RateFunction, windowMs: number, atMs: number): number | undefined;
  /** Samples held right now, over every series. */
  sampleCount(): number;
}

interface Series {
  readonly times: number[];
  readonly values: number[];
  /** Index of the oldest retained sample; dropped samples are spliced off in batches. */
  start: number;
}

export function createCounterStore(selectors: readonly Selector[], retentionMs: number): CounterStore {
  const bySelector = new Map<string, Series[]>(selectors.map((s) => [selectorKey(s), []]));
  const selectorList = [...new Map(selectors.map((s) => [selectorKey(s), s])).values()];
  const series = new Map<string, Series>();
  // Series no selector reads, remembered so each scrape line is matched against selectors once.
  const ignored = new Set<string>();
  let newestMs = -Infinity;

  const seriesFor = (sample: ExpositionSample): Series | undefined => {
    const key = seriesKey(sample.name, sample.labels);
    const known = series.get(key);
    if (known || ignored.has(key)) return known;
    const readers = selectorList.filter((s) => selects(s, sample.name, sample.labels));
    if (readers.length === 0) {
      ignored.add(key);
      return undefined;
    }
    const created: Series = { times: [], values: [], start: 0 };
    series.set(key, created);
    for (const reader of readers) bySelector.get(selectorKey(reader))?.push(created);
    return created;
  };

  const prune = (): void => {
    const cutoff = newestMs - retentionMs;
    for (const s of series.values()) {
      while (s.start < s.times.length && (s.times[s.start] ?? 0) < cutoff) s.start++;
      if (s.start > 1024 && s.start * 2 > s.times.length) {
        s.times.splice(0, s.start);
        s.values.splice(0, s.start);
        s.start = 0;
      }
    }
  };

  return {
    ingest(samples, atMs) {
      for (const sample of samples) {
        const s = seriesFor(sample);
        if (!s) continue;
        const t = sample.timestampMs ?? atMs;
        // Prometheus rejects out-of-order and duplicate timestamps; so do we.
        if (s.times.length > s.start && t <= (s.times.at(-1) ?? -Infinity)) continue;
        s.times.push(t);
        s.values.push(sample.value);
        newestMs = Math.max(newestMs, t);
      }
      prune();
    },
    sum(selector, fn, windowMs, atMs) {
      const rangeStart = atMs - windowMs;
      let total: number | undefined;
      for (const s of bySelector.get(selectorKey(selector)) ?? []) {
        const first = firstIndex(s.times, s.start, (t) => t >= rangeStart);
        const last = firstIndex(s.times, first, (t) => t > atMs) - 1;
        const value = extrapolatedRate(s, first, last, rangeStart, atMs, fn);
        if (value !== undefined) total = (total ?? 0) + value;
      }
      return total;
    },
    sampleCount() {
      let count = 0;
      for (const s of series.values()) count += s.times.length - s.start;
      return count;
    },
  };
}

export function selectorKey(selector: Selector): string {
  const matchers = selector.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`);
  return `${selector.metric}{${matchers.join(',')}}`;
}

/** First index in `from..` whose time passes `test`, which is monotonic over the sorted times. */
function firstIndex(times: readonly number[], from: number, test: (t: number) => boolean): number {
  let lo = from;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(times[mid] ?? 0)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
