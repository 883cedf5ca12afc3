import {
  Int32Histogram,
  JsHistogram,
  PackedHistogram,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
} from 'hdr-histogram-js';

/**
 * Latencies are recorded in microseconds from 1 µs to 60 s at 3 significant digits (0.1 %): the
 * resolution HdrHistogram recommends for request latency. A slower value widens the range instead of
 * being clamped, since the outliers are what a stall looks like.
 */
const lowestUs = 1;
const highestUs = 60_000_000;

export function createLatencyHistogram(): JsHistogram {
  const histogram = new Int32Histogram(lowestUs, highestUs, 3);
  histogram.autoResize = true;
  return histogram;
}

/**
 * Per-second buckets only feed charts, and a long run holds thousands of them: 2 digits (1 %) in a
 * packed (sparse) array take about 1 KB each, where a flat 3-digit array takes 70 KB.
 */
export function createSecondHistogram(): JsHistogram {
  const histogram = new PackedHistogram(lowestUs, highestUs, 2);
  histogram.autoResize = true;
  return histogram;
}

/**
 * The same layout as a second's histogram in a flat array (about 10 KB): five times cheaper to
 * record into, so the recorder fills one while a second lasts and packs it when the second ends.
 */
export function createSecondScratchHistogram(): JsHistogram {
  const histogram = new Int32Histogram(lowestUs, highestUs, 2);
  histogram.autoResize = true;
  return histogram;
}

export function recordLatencyMs(histogram: JsHistogram, latencyMs: number): void {
  histogram.recordValue(Number.isFinite(latencyMs) ? Math.max(0, Math.round(latencyMs * 1000)) : 0);
}

/** Milliseconds; 0 for an empty histogram. Percentile 100 is the maximum (top of its bucket). */
export function percentileMs(histogram: JsHistogram, percentile: number): number {
  return histogram.totalCount === 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000;
}

/**
 * Values at or under `thresholdMs`, as HdrHistogram's getCountBetweenValues(0, threshold) counts
 * them: the bucket holding the threshold counts whole, so a value up to 0.1 % above it may count.
 */
export function countAtOrBelowMs(histogram: JsHistogram, thresholdMs: number): number {
  const thresholdUs = Math.round(thresholdMs * 1000);
  if (thresholdUs >= histogram.highestTrackableValue) return histogram.totalCount;
  const last = Math.min(histogram.countsArrayIndex(thresholdUs), histogram.countsArrayLength - 1);
  let count = 0;
  for (let index = 0; index <= last; index++) count += histogram.getCountAtIndex(index);
  return count;
}

export function sumHistograms(histograms: Iterable<JsHistogram>): JsHistogram {
  const sum = createLatencyHistogram();
  for (const histogram of histograms) sum.add(histogram);
  return sum;
}

/** Base64 of HdrHistogram's compressed V2 encoding: what `encoding: 'hdr-base64'` names. */
export function encodeHistogram(histogram: JsHistogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(data: string): JsHistogram {
  const histogram = decodeFromCompressedBase64(data, 32);
  if (!(histogram instanceof JsHistogram)) throw new Error('expected a JavaScript HdrHistogram');
  histogram.autoResize = true;
  return histogram;
}
