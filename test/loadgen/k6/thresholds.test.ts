import { describe, expect, it } from 'vitest';
import { k6Thresholds, sloCoverageGaps, sloMetrics } from '../../../src/loadgen/k6/thresholds.js';
import { buildSlo, serverErrors } from '../../slo/builders.js';
import { executors, plan } from './fixtures.js';

const segment = (value: string) => ({ label: 'segment', value });

describe('thresholds derived from SLOs', () => {
  it.each([
    [99.95, '0.0005'],
    [99.9, '0.001'],
    [99.5, '0.005'],
    [99, '0.01'],
    [99.99, '0.0001'],
    [99.999, '0.00001'],
    [95, '0.05'],
  ])(
    'an availability objective of %s %% allows a failed-request rate of %s (1 - objective/100)',
    (objective, budget) => {
      const [metric] = sloMetrics([buildSlo({ objective })]);
      expect(metric?.threshold).toBe(`rate<=${budget}`);
      // The printed budget is the formula's value up to float noise: 100 - 99.95 is 0.04999999999999716.
      const printed = Number(metric?.threshold.slice('rate<='.length));
      expect(Math.abs(printed - (1 - objective / 100))).toBeLessThan(1e-12);
    },
  );

  it('a latency SLO becomes p(objective)<=threshold, fractional percentiles and float thresholds included', () => {
    const latency = (objective: number, latencyThresholdMs: number) =>
      sloMetrics([
        buildSlo({ objective, loadResults: { steps: ['checkout'], kind: 'latency', latencyThresholdMs } }),
      ])[0]?.threshold;
    expect(latency(99.5, 500)).toBe('p(99.5)<=500');
    expect(latency(99, 250)).toBe('p(99)<=250');
    // A threshold written in seconds (`le: "1.1"`) arrives as 1100.0000000000002 ms.
    expect(latency(99.9, 1.1 * 1000)).toBe('p(99.9)<=1100');
  });

  it('one metric per SLO, carrying its segment (none when unsegmented) and its steps (empty: all)', () => {
    const metrics = sloMetrics([
      buildSlo({ name: 'checkout-availability-vip', segment: segment('vip') }),
      buildSlo({
        name: 'catalog-availability',
        loadResults: { steps: ['browse', 'product'], kind: 'availability', counting: serverErrors },
      }),
      buildSlo({
        name: 'everything',
        loadResults: { steps: [], kind: 'availability', counting: serverErrors },
      }),
    ]);
    expect(
      metrics.map(({ metric, segment: s, steps, kind }) => ({ metric, segment: s, steps, kind })),
    ).toEqual([
      {
        metric: 'slo_store_checkout_availability_vip',
        segment: 'vip',
        steps: ['checkout'],
        kind: 'availability',
      },
      {
        metric: 'slo_store_catalog_availability',
        segment: undefined,
        steps: ['browse', 'product'],
        kind: 'availability',
      },
      { metric: 'slo_store_everything', segment: undefined, steps: [], kind: 'availability' },
    ]);
  });

  it('metric names are what k6 accepts (letters, digits, underscores, at most 128) and never collide', () => {
    const metrics = sloMetrics([
      buildSlo({ service: 'shop.v2', name: 'a-b' }),
      buildSlo({ service: 'shop', name: 'v2-a_b' }),
      buildSlo({ name: 'x'.repeat(200) }),
    ]);
    const names = metrics.map((m) => m.metric);
    expect(names[0]).toBe('slo_shop_v2_a_b');
    expect(names[1]).toBe('slo_shop_v2_a_b_2');
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]{1,127}$/);
  });

  it('dropped iterations fail open-model runs (count<1); closed-model executors cannot drop and get none', () => {
    const metrics = sloMetrics([buildSlo({ objective: 99.9 })]);
    const arrival = k6Thresholds(executors['ramping-arrival-rate'], metrics);
    expect(arrival).toEqual({
      dropped_iterations: [{ threshold: 'count<1', abortOnFail: false }],
      slo_store_checkout_availability: [{ threshold: 'rate<=0.001', abortOnFail: false }],
    });
    expect(k6Thresholds(executors['constant-arrival-rate'], [])).toHaveProperty('dropped_iterations');
    expect(k6Thresholds(executors['constant-vus'], metrics)).not.toHaveProperty('dropped_iterations');
    expect(k6Thresholds(executors['ramping-vus'], [])).toEqual({});
  });

  it('warns about SLOs the script never feeds: a segment outside the mix, a step outside the journey', () => {
    const gaps = sloCoverageGaps(plan('constant-vus', 'single'), [
      buildSlo({ name: 'a', segment: segment('platinum') }),
      buildSlo({
        name: 'b',
        loadResults: { steps: ['checkout'], kind: 'availability', counting: serverErrors },
      }),
      buildSlo({ name: 'c', loadResults: { steps: [], kind: 'availability', counting: serverErrors } }),
    ]);
    expect(gaps).toEqual([
      'SLO store-a: the segment mix never sends segment "platinum", so its threshold gets no data',
      'SLO store-b: the single journey has no step "checkout", so its threshold never counts it (steps: single)',
    ]);
    expect(sloCoverageGaps(plan('constant-vus'), [buildSlo({ segment: segment('vip') })])).toEqual([]);
  });
});
