import type { LoadResults, Summary } from '../../../src/loadgen/results.js';
import type { SliSource } from '../../../src/slo/evaluate/evaluate.js';
import type { SliMeasurement } from '../../../src/slo/evaluate/measurement.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
export const ms = { minute, hour, day };

/** Evaluation time used across these tests: 2025-03-01T12:00:00Z. */
export const at = Date.UTC(2025, 2, 1, 12);

export interface FakeSource extends SliSource {
  /** Every (slo id, window, time) asked for, in order. */
  readonly calls: { sloId: string; windowMs: number; atMs: number }[];
}

/**
 * An SliSource answering from a table: `byWindow[windowMs]` for one window, else `fallback`.
 * `bySlo` overrides per SLO id.
 */
export function fakeSource(
  byWindow: Readonly<Record<number, SliMeasurement>>,
  options: {
    fallback?: SliMeasurement;
    bySlo?: Readonly<Record<string, Readonly<Record<number, SliMeasurement>>>>;
    fixedWindowMs?: number;
  } = {},
): FakeSource {
  const calls: FakeSource['calls'] = [];
  return {
    origin: 'fake://prometheus',
    ...(options.fixedWindowMs === undefined ? {} : { fixedWindowMs: options.fixedWindowMs }),
    calls,
    measure: (slo, windowMs, atMs) => {
      calls.push({ sloId: slo.id, windowMs, atMs });
      const measurement = options.bySlo?.[slo.id]?.[windowMs] ??
        byWindow[windowMs] ??
        options.fallback ?? { errorRatio: 0 };
      return Promise.resolve(measurement);
    },
  };
}

/** A summary with `requests` requests of which `errors` failed (all 5xx), and cumulative latency buckets. */
export function summary(
  requests: number,
  errors: number,
  buckets: Readonly<Record<string, number>> = {},
): Summary {
  return {
    iterations: requests,
    requests,
    errors,
    errorsByKind: { http4xx: 0, http5xx: errors, timeout: 0, connection: 0, check: 0 },
    dropped: 0,
    achievedRate: requests / 600,
    latencyMs: { p50: 40, p90: 90, p95: 120, p99: 300, max: 900 },
    latencyBucketsMs: buckets,
  };
}

/** A ten-minute run; pass the slices a test is about. */
export function loadResults(overrides: Partial<LoadResults> = {}): LoadResults {
  return {
    apiVersion: 'shopsre/v1',
    kind: 'LoadResults',
    run: {
      id: 'run-1',
      startedAt: '2025-03-01T11:00:00Z',
      endedAt: '2025-03-01T11:10:00Z',
      durationMs: 10 * minute,
      target: 'http://127.0.0.1:8080',
      executor: 'constant-arrival-rate',
      seed: 42,
    },
    totals: summary(0, 0),
    byStep: {},
    bySegment: {},
    bySegmentStep: {},
    histograms: [],
    timeSeries: [],
    ...overrides,
  };
}
