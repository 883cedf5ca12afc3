import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { buildLoadPlan } from '../../../src/loadgen/build-plan.js';
import { defaultProfile, type LoadProfile } from '../../../src/loadgen/profile.js';
import { systemMonotonicClock } from '../../../src/loadgen/engine/system-clock.js';
import type { LoadResults } from '../../../src/loadgen/results.js';
import { runLoad } from '../../../src/loadgen/run-load.js';
import {
  setStock,
  startTestStore,
  testCatalog,
  type TestStore,
} from '../../reference-store/support/test-store.js';

/**
 * The checkout journey against the real reference store (not the fake one of the other journey
 * tests): every step passes its checks, the funnel and the segment mix come out as configured, and
 * the store's own counters agree with what the generator says it sent.
 */
describe('the checkout journey against the reference store', () => {
  let store: TestStore;
  let results: LoadResults;
  const iterations = 480;

  beforeAll(async () => {
    store = await startTestStore();
    // The journey spreads its picks over the whole (test) catalog, the most popular products most:
    // enough stock on those that no checkout is refused.
    for (let i = 1; i <= 20; i++) await setStock(store, `p-${String(i).padStart(5, '0')}`, 5000);
    const profile: LoadProfile = {
      ...defaultProfile,
      journey: { ...defaultProfile.journey, products: { count: testCatalog.products, skew: 0.5 } },
    };
    const plan = buildLoadPlan(
      {
        target: store.url,
        executor: 'constant-arrival-rate',
        rate: 80,
        durationMs: (iterations / 80) * 1000,
        seed: 7,
      },
      profile,
    );
    ({ results } = await runLoad({
      plan,
      runId: 'store-journey',
      runNonce: 'storejourney',
      workers: 1,
      stopConditions: [],
      signal: new AbortController().signal,
      clock: systemMonotonicClock,
      wallClock: systemClock,
    }));
  }, 120_000);
  afterAll(async () => {
    await store?.stop();
  });

  it('runs every iteration, and every request passes its checks', () => {
    expect(results.totals.iterations).toBe(iterations);
    expect(results.totals.dropped).toBe(0);
    expect(results.totals.errorsByKind).toEqual({
      http4xx: 0,
      http5xx: 0,
      timeout: 0,
      connection: 0,
      check: 0,
    });
  });

  it('follows the 10 : 2 : 1 funnel within binomial tolerance', () => {
    const browse = results.byStep.browse?.requests ?? 0;
    const add = results.byStep['add-to-cart']?.requests ?? 0;
    const checkout = results.byStep.checkout?.requests ?? 0;
    expect(browse).toBe(iterations);
    // Step counts in the ratio 10 : 2 : 1 (every checkout also adds to its cart): shares of 20 % and
    // 10 % over 480 draws, within four standard deviations (7.3 and 5.5 points).
    expect(Math.abs(add / browse - 0.2)).toBeLessThan(4 * Math.sqrt((0.2 * 0.8) / iterations));
    expect(Math.abs(checkout / browse - 0.1)).toBeLessThan(4 * Math.sqrt((0.1 * 0.9) / iterations));
    expect(results.byStep.cart?.requests).toBe(add);
    expect(checkout).toBeGreaterThan(0);
  });

  it('mixes segments 60 / 35 / 5 within binomial tolerance', () => {
    const share = (segment: string): number => (results.bySegment[segment]?.iterations ?? 0) / iterations;
    expect(Math.abs(share('guest') - 0.6)).toBeLessThan(4 * Math.sqrt((0.6 * 0.4) / iterations));
    expect(Math.abs(share('member') - 0.35)).toBeLessThan(4 * Math.sqrt((0.35 * 0.65) / iterations));
    expect(Math.abs(share('vip') - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / iterations));
  });

  it("agrees with the store's per-segment counters, checkout by checkout", async () => {
    const text = await (await store.request('/metrics')).text();
    for (const segment of ['guest', 'member', 'vip']) {
      const sent = results.bySegmentStep[segment]?.checkout?.requests ?? 0;
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`checkout_outcomes_total{segment="${segment}",outcome="paid"}`));
      expect(Number(line?.split(' ')[1] ?? 0), segment).toBe(sent);
    }
    const report = await store.verify();
    expect(report.violations).toEqual([]);
  });
});
