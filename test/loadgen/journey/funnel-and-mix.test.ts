import { describe, expect, it } from 'vitest';
import { createJourney } from '../../../src/loadgen/journey/index.js';
import type { JourneyConfig, Sample } from '../../../src/loadgen/plan.js';
import { checkoutConfig, iterationContext } from './context.js';
import { fakeStore, inMemoryClient } from './fake-store.js';

async function run(config: JourneyConfig, iterations: number) {
  const store = fakeStore();
  const samples: Sample[] = [];
  const journey = createJourney(config, { workerIndex: 0, workerCount: 1, client: inMemoryClient(store) });
  for (let i = 0; i < iterations; i++) await journey(iterationContext(i, samples));
  const count = (predicate: (s: Sample) => boolean) => samples.filter(predicate).length;
  return { samples, count };
}

describe('the checkout funnel over 2,000 iterations', () => {
  it('sends browse : add-to-cart : checkout at about 10 : 2 : 1 with the default weights', async () => {
    const { count } = await run(checkoutConfig, 2000);
    const browse = count((s) => s.step === 'browse');
    const add = count((s) => s.step === 'add-to-cart');
    const checkout = count((s) => s.step === 'checkout');
    expect(browse).toBe(2000);
    // 2,000 draws of a 20 % and a 10 % event: three standard deviations are about 2.7 and 2 points.
    expect(add / browse).toBeGreaterThan(0.2 - 0.027);
    expect(add / browse).toBeLessThan(0.2 + 0.027);
    expect(checkout / browse).toBeGreaterThan(0.1 - 0.02);
    expect(checkout / browse).toBeLessThan(0.1 + 0.02);
    // Every iteration views a product; only those that add to cart view the cart.
    expect(count((s) => s.step === 'product')).toBe(browse);
    expect(count((s) => s.step === 'cart')).toBe(add);
  });

  it('follows configured funnel weights', async () => {
    const { count } = await run({ ...checkoutConfig, funnel: { browse: 0, addToCart: 0, checkout: 1 } }, 200);
    expect(count((s) => s.step === 'checkout')).toBe(200);
  });

  it('mixes segments at about 60 / 35 / 5 per iteration, and tags every sample', async () => {
    const { samples, count } = await run(checkoutConfig, 2000);
    const share = (segment: string) => count((s) => s.step === 'browse' && s.segment === segment) / 2000;
    expect(Math.abs(share('guest') - 0.6)).toBeLessThan(0.033);
    expect(Math.abs(share('member') - 0.35)).toBeLessThan(0.032);
    expect(Math.abs(share('vip') - 0.05)).toBeLessThan(0.015);
    expect(samples.every((s) => ['guest', 'member', 'vip'].includes(s.segment) && s.step !== '')).toBe(true);
  });

  it('follows a configured segment mix, including segments of its own', async () => {
    const { samples } = await run({ ...checkoutConfig, segmentMix: { wholesale: 1, guest: 0 } }, 100);
    expect(new Set(samples.map((s) => s.segment))).toEqual(new Set(['wholesale']));
  });
});
