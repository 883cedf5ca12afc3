import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { decodeHistogram } from '../../../src/loadgen/latency-histogram.js';
import { mergeResults } from '../../../src/loadgen/merge.js';
import { Recorder } from '../../../src/loadgen/recorder.js';
import { parseLoadResults, type LoadResults } from '../../../src/loadgen/results.js';
import { checkoutIterations, type PositionedSample } from './samples.js';

const run = {
  id: 'run-1',
  startedAt: '2025-01-01T10:00:00.000Z',
  durationMs: 20_000,
  target: 'http://127.0.0.1:8080',
  executor: 'constant-arrival-rate',
  seed: 42,
};

function resultsOf(iterations: readonly PositionedSample[][], drops = 0, runOverrides = {}): LoadResults {
  const recorder = new Recorder({ latencyBucketsMs: [1, 100, 250, 1000] });
  for (const samples of iterations)
    for (const { sample, position } of samples) recorder.record(sample, position);
  for (let i = 0; i < drops; i++) recorder.recordDropped({ segment: 'vip', step: 'browse' });
  return recorder.toResults({ ...run, ...runOverrides });
}

/** Every count of a histogram, by bucket index: equal arrays mean equal histograms. */
function counts(data: string): number[] {
  const histogram = decodeHistogram(data);
  return Array.from({ length: histogram.countsArrayLength }, (_, index) => histogram.getCountAtIndex(index));
}

describe('merging two results', () => {
  const iterations = checkoutIterations(2000, 20);
  // As two worker threads would split them: alternate iterations.
  const first = resultsOf(
    iterations.filter((_, i) => i % 2 === 0),
    3,
  );
  const second = resultsOf(
    iterations.filter((_, i) => i % 2 === 1),
    4,
  );
  const whole = resultsOf(iterations, 7);
  const merged = mergeResults(first, second);

  it('equals one run over the union of the samples: every summary, from the merged histograms', () => {
    expect(merged.totals).toEqual(whole.totals);
    expect(merged.byStep).toEqual(whole.byStep);
    expect(merged.bySegment).toEqual(whole.bySegment);
    expect(merged.bySegmentStep).toEqual(whole.bySegmentStep);
    expect(merged.run).toEqual(whole.run);
  });

  it('equals one run over the union of the samples: the histograms, count for count', () => {
    expect(merged.histograms.map(({ segment, step }) => `${segment}/${step}`)).toEqual(
      whole.histograms.map(({ segment, step }) => `${segment}/${step}`),
    );
    merged.histograms.forEach((histogram, index) => {
      expect(counts(histogram.data)).toEqual(counts(whole.histograms[index]?.data ?? ''));
    });
  });

  it('adds counts per second and keeps an upper bound of each percentile', () => {
    expect(merged.timeSeries.map(({ t, segment, count, errors }) => ({ t, segment, count, errors }))).toEqual(
      whole.timeSeries.map(({ t, segment, count, errors }) => ({ t, segment, count, errors })),
    );
    merged.timeSeries.forEach((point, index) => {
      const truth = whole.timeSeries[index];
      expect(point.p50).toBeGreaterThanOrEqual(truth?.p50 ?? Infinity);
      expect(point.p99).toBeGreaterThanOrEqual(truth?.p99 ?? Infinity);
    });
  });

  it('reads documents as parsed from their JSON files', () => {
    const parse = (doc: LoadResults, name: string) => parseLoadResults(name, JSON.stringify(doc)).results;
    expect(mergeResults(parse(first, 'a.json'), parse(second, 'b.json'))).toEqual(merged);
  });
});

describe('merging step points', () => {
  const iterations = checkoutIterations(2000, 20);
  const stepResults = (part: readonly PositionedSample[][]): LoadResults => {
    const recorder = new Recorder({ latencyBucketsMs: [100, 250, 1000], seriesSteps: ['checkout'] });
    for (const samples of part) for (const { sample, position } of samples) recorder.record(sample, position);
    return recorder.toResults(run);
  };
  const whole = stepResults(iterations);
  const merged = mergeResults(
    stepResults(iterations.filter((_, i) => i % 2 === 0)),
    stepResults(iterations.filter((_, i) => i % 2 === 1)),
  );
  const counted = (doc: LoadResults) =>
    doc.timeSeries.map(({ t, segment, step, count, byStatus, latencyBucketsMs }) => ({
      t,
      segment,
      step,
      count,
      byStatus,
      latencyBucketsMs,
    }));

  it('adds answers per status and latency buckets per second, as one run over every sample', () => {
    expect(whole.timeSeries.some((p) => p.step === 'checkout' && p.byStatus !== undefined)).toBe(true);
    expect(counted(merged)).toEqual(counted(whole));
  });

  it('drops them from a merged point when one of its parts has none (an older writer)', () => {
    const older = stepResults(iterations.filter((_, i) => i % 2 === 1));
    const stripped: LoadResults = {
      ...older,
      timeSeries: older.timeSeries.map((point) => {
        const copy = { ...point };
        delete copy.byStatus;
        delete copy.latencyBucketsMs;
        return copy;
      }),
    };
    const mixed = mergeResults(stepResults(iterations.filter((_, i) => i % 2 === 0)), stripped);
    const point = mixed.timeSeries.find((p) => p.t === 5 && p.step === 'checkout');
    const truth = whole.timeSeries.find(
      (p) => p.t === 5 && p.step === 'checkout' && p.segment === point?.segment,
    );
    expect(point?.count).toBe(truth?.count);
    expect(point).not.toHaveProperty('byStatus');
    expect(point).not.toHaveProperty('latencyBucketsMs');
  });
});

describe('run metadata of merged results', () => {
  it('spans from the earliest start to the latest end and joins what differs', () => {
    const iterations = checkoutIterations(50, 5);
    const a = resultsOf(iterations, 0, { id: 'a', durationMs: 5000 });
    const b = resultsOf(iterations, 0, {
      id: 'b',
      startedAt: '2025-01-01T10:00:02.000Z',
      durationMs: 5000,
      target: 'http://127.0.0.1:9090',
    });
    const c = resultsOf(iterations, 0, { id: 'c', durationMs: 1000, executor: 'constant-vus', seed: 7 });
    const merged = mergeResults(a, b, c);
    expect(merged.run).toEqual({
      id: 'a, b, c',
      startedAt: '2025-01-01T10:00:00.000Z',
      endedAt: '2025-01-01T10:00:07.000Z',
      durationMs: 7000,
      target: 'http://127.0.0.1:8080, http://127.0.0.1:9090',
      executor: 'constant-arrival-rate, constant-vus',
      seed: 42,
    });
    expect(merged.totals.iterations).toBe(150);
    expect(merged.totals.achievedRate).toBeCloseTo(150 / 7, 3);
  });

  it('shifts the per-second series of a later run to the merged start', () => {
    const iterations = checkoutIterations(20, 1);
    const early = resultsOf(iterations, 0, { durationMs: 3000 });
    const late = resultsOf(iterations, 0, { startedAt: '2025-01-01T10:00:02.500Z', durationMs: 3000 });
    const shifted = mergeResults(early, late).timeSeries.filter((p) => !Number.isInteger(p.t));
    expect(shifted.length).toBeGreaterThan(0);
    expect(new Set(shifted.map((p) => p.t % 1))).toEqual(new Set([0.5]));
    expect(Math.min(...shifted.map((p) => p.t))).toBe(2.5);
  });
});

describe('a damaged histogram', () => {
  it('is a usage error naming the document, the histogram and its cell', () => {
    const results = resultsOf(checkoutIterations(20, 1));
    const damaged: LoadResults = {
      ...results,
      histograms: results.histograms.map((h, i) => (i === 1 ? { ...h, data: 'bm90IGEgaGlzdG9ncmFt' } : h)),
    };
    const cell = `${results.histograms[1]?.segment}/${results.histograms[1]?.step}`;
    expect(() => mergeResults(results, damaged)).toThrow(UsageError);
    expect(() => mergeResults(results, damaged)).toThrow(`results 2: histograms[1] (${cell})`);
  });
});
