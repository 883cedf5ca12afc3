import { describe, expect, it } from 'vitest';
import { buildLoadPlan } from '../../../src/loadgen/build-plan.js';
import { iterationPlanner } from '../../../src/loadgen/journey/iteration-plan.js';
import { popularityPicker } from '../../../src/loadgen/journey/popularity.js';
import { checkoutConfig } from './context.js';

/** The Zipf weights written out: rank k (from 0) weighs 1/(k+1)^skew. */
function zipfShare(count: number, skew: number, ranks: number): number {
  let total = 0;
  let head = 0;
  for (let k = 0; k < count; k++) {
    const weight = (k + 1) ** -skew;
    total += weight;
    if (k < ranks) head += weight;
  }
  return head / total;
}

const draws = 20_000;

/** Share of the first `ranks` ranks over the first `draws` iterations of a seeded planner. */
function observedShare(skew: number, ranks: number, seed = 11): number {
  const planner = iterationPlanner({ ...checkoutConfig, seed, products: { count: 2000, skew } }, 'nonce');
  let hits = 0;
  for (let i = 0; i < draws; i++) if (planner.plan(i).productRank < ranks) hits++;
  return hits / draws;
}

describe('which product an iteration picks', () => {
  it('the same seed picks the same products, iteration by iteration; another seed does not', () => {
    const config = { ...checkoutConfig, products: { count: 2000, skew: 0.5 } };
    const ranks = (seed: number) =>
      Array.from({ length: 200 }, (_, i) => iterationPlanner({ ...config, seed }, 'a').plan(i).productRank);
    expect(ranks(3)).toEqual(ranks(3));
    expect(ranks(3)).not.toEqual(ranks(4));
  });

  it('spreads over the whole catalog with the Zipf shares of its skew, within binomial tolerance', () => {
    for (const [skew, ranks] of [
      [0, 20],
      [0.5, 1],
      [0.5, 20],
      [1.5, 1],
    ] as const) {
      const expected = zipfShare(2000, skew, ranks);
      const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / draws);
      expect(Math.abs(observedShare(skew, ranks) - expected), `skew ${skew}, top ${ranks}`).toBeLessThan(
        tolerance,
      );
    }
  });

  it('by default a steady run does not pile onto the first page; the hot-product preset does', () => {
    const steady = buildLoadPlan({ target: 'http://127.0.0.1:8080', preset: 'steady' });
    const hot = buildLoadPlan({ target: 'http://127.0.0.1:8080', preset: 'hot-product' });
    expect(zipfShare(steady.journey.products.count, steady.journey.products.skew, 20)).toBeLessThan(0.1);
    expect(zipfShare(hot.journey.products.count, hot.journey.products.skew, 1)).toBeGreaterThan(0.35);
    expect(hot.executor).toEqual(steady.executor);
  });

  it('maps every draw in [0, 1) to a rank inside the catalog', () => {
    const pick = popularityPicker({ count: 7, skew: 1 });
    expect([0, 0.3, 0.999_999_999, 1 - Number.EPSILON].map(pick).every((r) => r >= 0 && r < 7)).toBe(true);
    expect(pick(0)).toBe(0);
    expect(pick(1 - Number.EPSILON)).toBe(6);
  });
});
