import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../../src/loadgen/latency-histogram.js';
import { Recorder } from '../../../src/loadgen/recorder.js';
import { loadResultsSchema } from '../../../src/loadgen/results.js';
import { checkoutIterations } from './samples.js';

const run = {
  id: 'run-1',
  startedAt: '2025-01-01T10:00:00.000Z',
  durationMs: 10_000,
  target: 'http://127.0.0.1:8080',
  executor: 'constant-arrival-rate',
  seed: 42,
};

function recordAll(recorder: Recorder, iterations: ReturnType<typeof checkoutIterations>): void {
  for (const samples of iterations)
    for (const { sample, position } of samples) recorder.record(sample, position);
}

describe('per-second series of a step', () => {
  it('breaks out the steps asked for, per segment and second, beside the segment series over every step', () => {
    const recorder = new Recorder({ latencyBucketsMs: [], seriesSteps: ['checkout'] });
    const at = (step: string, segment: string, endedAtMs: number, latencyMs: number, error?: 'http5xx') =>
      recorder.record(
        { step, segment, latencyMs, endedAtMs, ...(error ? { error } : {}) },
        { firstOfIteration: step === 'browse', firstOfStep: true },
      );
    at('browse', 'guest', 100, 5);
    at('checkout', 'guest', 200, 40);
    at('checkout', 'guest', 900, 60, 'http5xx');
    at('browse', 'vip', 1100, 5);
    at('checkout', 'vip', 1500, 80);
    const { timeSeries } = recorder.toResults(run);
    const point = (t: number, segment: string, step?: string) =>
      timeSeries.find((p) => p.t === t && p.segment === segment && p.step === step);
    expect(point(0, 'guest')).toMatchObject({ count: 3, errors: { http5xx: 1 } });
    expect(point(0, 'guest', 'checkout')).toMatchObject({ count: 2, errors: { http5xx: 1 } });
    expect(point(0, 'guest', 'checkout')?.p95).toBeCloseTo(60, 0);
    expect(point(1, 'vip')).toMatchObject({ count: 2 });
    expect(point(1, 'vip', 'checkout')).toMatchObject({ count: 1, errors: { http5xx: 0 } });
    expect(point(1, 'vip', 'checkout')?.p50).toBeCloseTo(80, 0);
    // Browse was not asked for: no series of its own.
    expect(timeSeries.filter((p) => p.step === 'browse')).toEqual([]);
    expect(timeSeries).toHaveLength(4);
  });

  it('counts answers per status and cumulative latency buckets on step points only', () => {
    const recorder = new Recorder({ latencyBucketsMs: [50, 100], seriesSteps: ['checkout'] });
    const at = (step: string, endedAtMs: number, latencyMs: number, status?: number) =>
      recorder.record(
        {
          step,
          segment: 'guest',
          latencyMs,
          endedAtMs,
          ...(status === undefined ? { error: 'timeout' as const } : {}),
          ...(status === undefined ? {} : { status }),
          ...(status === 503 ? { error: 'http5xx' as const } : {}),
        },
        { firstOfIteration: step === 'browse', firstOfStep: true },
      );
    at('browse', 100, 5, 200);
    at('checkout', 200, 40, 200);
    at('checkout', 300, 70, 503);
    at('checkout', 400, 120, 409);
    at('checkout', 500, 3000); // timed out: no answer, no status
    at('checkout', 1200, 10, 200);
    const { timeSeries, bySegmentStep } = recorder.toResults(run);
    const point = (t: number, step?: string) =>
      timeSeries.find((p) => p.t === t && p.segment === 'guest' && p.step === step);
    expect(point(0, 'checkout')).toMatchObject({
      count: 4,
      byStatus: { '200': 1, '409': 1, '503': 1 },
      latencyBucketsMs: { '50': 1, '100': 2 },
    });
    expect(point(1, 'checkout')).toMatchObject({
      count: 1,
      byStatus: { '200': 1 },
      latencyBucketsMs: { '50': 1, '100': 1 },
    });
    // The segment's series over every step keeps its old shape.
    expect(point(0)).not.toHaveProperty('byStatus');
    expect(point(0)).not.toHaveProperty('latencyBucketsMs');
    // Step points add up to the step's summary.
    expect(bySegmentStep.guest?.checkout).toMatchObject({
      byStatus: { '200': 2, '409': 1, '503': 1 },
      latencyBucketsMs: { '50': 2, '100': 3 },
    });
    expect(loadResultsSchema.safeParse(recorder.toResults(run)).success).toBe(true);
  });

  it("adds step points up to the summaries exactly, latency buckets counted as the summaries' histogram counts them", () => {
    // Thresholds on and around HDR bucket edges, and latencies from 0.2 ms to 3 s.
    const buckets = [1, 99.95, 100, 100.04, 250, 1000, 2999.9];
    const recorder = new Recorder({ latencyBucketsMs: buckets, seriesSteps: ['checkout', 'cart'] });
    recordAll(recorder, checkoutIterations(3000, 30));
    const results = recorder.toResults(run);
    for (const [segment, steps] of Object.entries(results.bySegmentStep)) {
      for (const step of ['checkout', 'cart']) {
        const points = results.timeSeries.filter((p) => p.segment === segment && p.step === step);
        const sum = (pick: (p: (typeof points)[number]) => Readonly<Record<string, number>> | undefined) => {
          const out: Record<string, number> = {};
          for (const p of points)
            for (const [key, n] of Object.entries(pick(p) ?? {})) out[key] = (out[key] ?? 0) + n;
          return out;
        };
        expect(sum((p) => p.byStatus)).toEqual(steps[step]?.byStatus);
        expect(sum((p) => p.latencyBucketsMs)).toEqual(steps[step]?.latencyBucketsMs);
      }
    }
    expect(loadResultsSchema.safeParse(results).success).toBe(true);
  });

  it('keeps only the segment series by default', () => {
    const recorder = new Recorder({ latencyBucketsMs: [] });
    recorder.record(
      { step: 'checkout', segment: 'guest', latencyMs: 5, endedAtMs: 100 },
      { firstOfIteration: true, firstOfStep: true },
    );
    expect(recorder.toResults(run).timeSeries.map((p) => p.step)).toEqual([undefined]);
  });
});

describe('summaries', () => {
  it('reads percentiles and cumulative latency buckets from the HDR histogram, to 0.1 %', () => {
    const recorder = new Recorder({ latencyBucketsMs: [10, 50, 100, 250.5] });
    for (let ms = 1; ms <= 100; ms++) {
      recorder.record(
        { step: 'browse', segment: 'guest', latencyMs: ms, endedAtMs: ms * 10 },
        { firstOfIteration: true, firstOfStep: true },
      );
    }
    const { totals } = recorder.toResults(run);
    expect(totals.requests).toBe(100);
    expect(totals.latencyMs.p50).toBeCloseTo(50, 1);
    expect(totals.latencyMs.p99).toBeCloseTo(99, 1);
    expect(totals.latencyMs.max).toBeCloseTo(100, 1);
    expect(totals.latencyBucketsMs).toEqual({ '10': 10, '50': 50, '100': 100, '250.5': 100 });
  });

  it('counts requests, errors by kind, iterations per slice and the achieved rate', () => {
    const recorder = new Recorder({ latencyBucketsMs: [] });
    const iteration = (segment: string, steps: string[], error?: 'http5xx' | 'check') =>
      steps.forEach((step, index) =>
        recorder.record(
          {
            step,
            segment,
            latencyMs: 5,
            endedAtMs: 100,
            ...(error && index === steps.length - 1 ? { error } : {}),
          },
          { firstOfIteration: index === 0, firstOfStep: true },
        ),
      );
    iteration('guest', ['browse']);
    iteration('guest', ['browse', 'product', 'add-to-cart', 'cart', 'checkout'], 'http5xx');
    iteration('vip', ['browse', 'product'], 'check');
    const results = recorder.toResults(run);

    expect(results.totals).toMatchObject({
      iterations: 3,
      requests: 8,
      errors: 2,
      errorsByKind: { http4xx: 0, http5xx: 1, timeout: 0, connection: 0, check: 1 },
      achievedRate: 0.3,
    });
    expect(results.bySegment['guest']).toMatchObject({ iterations: 2, requests: 6, errors: 1 });
    expect(results.byStep['browse']).toMatchObject({ iterations: 3, requests: 3 });
    expect(results.byStep['checkout']).toMatchObject({ iterations: 1, requests: 1, errors: 1 });
    expect(results.bySegmentStep['vip']?.['product']).toMatchObject({ iterations: 1, errors: 1 });
    // Steps follow the funnel, segments their names.
    expect(Object.keys(results.byStep)).toEqual(['browse', 'product', 'add-to-cart', 'cart', 'checkout']);
    expect(Object.keys(results.bySegment)).toEqual(['guest', 'vip']);
  });

  it('counts every drop in the totals, and per segment and step when the journey can tell', () => {
    const recorder = new Recorder({ latencyBucketsMs: [] });
    recorder.recordDropped();
    recorder.recordDropped({ segment: 'vip' });
    recorder.recordDropped({ segment: 'vip', step: 'browse' });
    const results = recorder.toResults(run);
    expect(results.totals.dropped).toBe(3);
    expect(results.bySegment['vip']?.dropped).toBe(2);
    expect(results.byStep['browse']?.dropped).toBe(1);
    expect(results.bySegmentStep['vip']?.['browse']).toMatchObject({ dropped: 1, requests: 0 });
  });
});

describe('the results document', () => {
  it('is a valid LoadResults document whose run ends its duration after its start', () => {
    const recorder = new Recorder({ latencyBucketsMs: [100, 250] });
    recordAll(recorder, checkoutIterations(500, 10));
    const results = recorder.toResults(run);
    expect(loadResultsSchema.parse(results)).toEqual(results);
    expect(results.run.endedAt).toBe('2025-01-01T10:00:10.000Z');
  });

  it('serializes one histogram per segment × step holding every request of the cell', () => {
    const recorder = new Recorder({ latencyBucketsMs: [] });
    recordAll(recorder, checkoutIterations(300, 5));
    const results = recorder.toResults(run);
    for (const { segment, step, encoding, data } of results.histograms) {
      expect(encoding).toBe('hdr-base64');
      expect(decodeHistogram(data).totalCount).toBe(results.bySegmentStep[segment]?.[step]?.requests);
    }
    expect(results.histograms.map((h) => decodeHistogram(h.data).totalCount).reduce((a, b) => a + b)).toBe(
      results.totals.requests,
    );
  });

  it('buckets requests per second and segment by when they finished', () => {
    const recorder = new Recorder({ latencyBucketsMs: [] });
    const at = (endedAtMs: number, latencyMs: number, segment = 'guest', error?: 'timeout') =>
      recorder.record(
        { step: 'browse', segment, latencyMs, endedAtMs, ...(error ? { error } : {}) },
        { firstOfIteration: true, firstOfStep: true },
      );
    at(10, 20);
    at(999, 40);
    at(1000, 60, 'guest', 'timeout');
    at(1500, 80, 'vip');
    const { timeSeries } = recorder.toResults(run);
    expect(timeSeries).toEqual([
      expect.objectContaining({ t: 0, segment: 'guest', count: 2, p99: expect.closeTo(40, 0) as number }),
      expect.objectContaining({
        t: 1,
        segment: 'guest',
        count: 1,
        errors: expect.objectContaining({ timeout: 1 }) as unknown,
      }),
      expect.objectContaining({ t: 1, segment: 'vip', count: 1, p50: expect.closeTo(80, 0) as number }),
    ]);
    expect(timeSeries.every((point) => point.step === undefined)).toBe(true);
  });
});

describe('live stats', () => {
  it('give running totals and each segment’s p95 over the last complete second', () => {
    const recorder = new Recorder({ latencyBucketsMs: [] });
    for (let i = 0; i < 100; i++) {
      recorder.record(
        {
          step: 'browse',
          segment: 'vip',
          latencyMs: i + 1,
          endedAtMs: 1000 + i,
          ...(i < 3 ? { error: 'timeout' } : {}),
        },
        { firstOfIteration: true, firstOfStep: true },
      );
    }
    recorder.recordDropped();
    expect(recorder.liveStats(1999).bySegment['vip']?.p95Ms).toBe(0);
    const live = recorder.liveStats(2000);
    expect(live).toMatchObject({ requests: 100, errors: 3, dropped: 1 });
    expect(live.bySegment['vip']?.p95Ms).toBeCloseTo(95, 0);
  });
});
