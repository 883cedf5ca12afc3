import { describe, expect, it } from 'vitest';
import { createCounterStore } from '../../../src/gameday/alerts/counter-store.js';
import { extrapolatedRate } from '../../../src/gameday/alerts/extrapolated-rate.js';
import type { Selector } from '../../../src/slo/rules/promql-linear.js';

/** increase() over samples given as [seconds, value] pairs, for the range [fromS, toS]. */
function increase(
  points: readonly (readonly [number, number])[],
  fromS: number,
  toS: number,
): number | undefined {
  const columns = { times: points.map(([t]) => t * 1000), values: points.map(([, v]) => v) };
  return extrapolatedRate(columns, 0, points.length - 1, fromS * 1000, toS * 1000, 'increase');
}

describe("rate() and increase() as Prometheus 2.42's extrapolatedRate computes them", () => {
  it('samples on both range boundaries: the plain difference (30 over 30 s)', () => {
    expect(
      increase(
        [
          [0, 0],
          [10, 10],
          [20, 20],
          [30, 30],
        ],
        0,
        30,
      ),
    ).toBe(30);
  });

  it('samples 5 s inside each boundary (under 1.1 intervals): extrapolated to the boundaries, 20 → 30', () => {
    // sampled 20 s, to start 5 s, to end 5 s: 20 × (20 + 5 + 5) / 20.
    expect(
      increase(
        [
          [5, 100],
          [15, 110],
          [25, 120],
        ],
        0,
        30,
      ),
    ).toBe(30);
  });

  it('a series that covers part of the range: half an interval each side, 2 → 3', () => {
    // to start 20 s (zero point 10 s back) and to end 38 s both exceed 1.1 s: 2 × (2 + 0.5 + 0.5) / 2.
    expect(
      increase(
        [
          [20, 10],
          [21, 11],
          [22, 12],
        ],
        0,
        60,
      ),
    ).toBe(3);
  });

  it('never extrapolates before the counter would have been zero, 20 → 21', () => {
    // to start 10 s, but a counter at 1 rising 1/s was 0 one second earlier: 20 × (20 + 1) / 20.
    expect(
      increase(
        [
          [10, 1],
          [20, 11],
          [30, 21],
        ],
        0,
        30,
      ),
    ).toBe(21);
  });

  it('checks the zero point before the 1.1-interval threshold, as 2.42 does (2.51 gives 25), 28', () => {
    // to start 30 s → zero point 8 s (< 11 s threshold) wins: 20 × (20 + 8) / 20.
    expect(
      increase(
        [
          [30, 8],
          [40, 18],
          [50, 28],
        ],
        0,
        50,
      ),
    ).toBe(28);
  });

  it('adds back the value before a counter reset: 5 → 10, reset, 2 → 6 is an increase of 11', () => {
    expect(
      increase(
        [
          [0, 5],
          [10, 10],
          [20, 2],
          [30, 6],
        ],
        0,
        30,
      ),
    ).toBe(11);
  });

  it('needs two samples: one gives no value', () => {
    expect(increase([[10, 5]], 0, 30)).toBeUndefined();
  });

  it('rate divides the extrapolated increase by the whole range, not the sampled part', () => {
    const columns = { times: [20_000, 21_000, 22_000], values: [10, 11, 12] };
    expect(extrapolatedRate(columns, 0, 2, 0, 60_000, 'rate')).toBeCloseTo(3 / 60, 12);
  });
});

describe('the counter store', () => {
  const checkout5xx: Selector = {
    metric: 'http_requests_total',
    matchers: [
      { label: 'route', op: '=', value: '/api/checkout' },
      { label: 'status_class', op: '=~', value: '5..' },
    ],
  };
  const sample = (status: string, segment: string, value: number) => ({
    name: 'http_requests_total',
    labels: { route: '/api/checkout', status_class: status, segment },
    value,
  });

  it('sums rate() over the matching series in [t - window, t], both ends included', () => {
    const store = createCounterStore([checkout5xx], 3_600_000);
    for (let s = 0; s <= 60; s++) {
      store.ingest(
        [sample('5xx', 'guest', 2 * s), sample('5xx', 'vip', 3 * s), sample('2xx', 'vip', 100 * s)],
        s * 1000,
      );
    }
    // 2/s + 3/s; the 2xx series is not selected.
    expect(store.sum(checkout5xx, 'rate', 30_000, 60_000)).toBeCloseTo(5, 12);
    expect(store.sum(checkout5xx, 'increase', 30_000, 60_000)).toBeCloseTo(150, 12);
    // A window that holds a single sample has no rate: an empty vector, not 0.
    expect(store.sum(checkout5xx, 'rate', 500, 60_000)).toBeUndefined();
  });

  it('keeps only selected series, and only samples within the retention', () => {
    const store = createCounterStore([checkout5xx], 10_000);
    for (let s = 0; s <= 100; s++)
      store.ingest([sample('5xx', 'guest', s), sample('2xx', 'guest', s)], s * 1000);
    // Samples at 90..100 s: 11 of one series.
    expect(store.sampleCount()).toBe(11);
  });

  it('drops a sample that is not newer than the last one of its series, as Prometheus does', () => {
    const store = createCounterStore([checkout5xx], 60_000);
    store.ingest([sample('5xx', 'guest', 0)], 0);
    store.ingest([sample('5xx', 'guest', 10)], 10_000);
    store.ingest([sample('5xx', 'guest', 999)], 10_000);
    store.ingest([sample('5xx', 'guest', 999)], 5_000);
    expect(store.sampleCount()).toBe(2);
    expect(store.sum(checkout5xx, 'increase', 10_000, 10_000)).toBe(10);
  });
});
