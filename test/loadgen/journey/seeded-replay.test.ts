import { describe, expect, it } from 'vitest';
import { createJourney } from '../../../src/loadgen/journey/index.js';
import type { JourneyConfig, Sample } from '../../../src/loadgen/plan.js';
import { checkoutConfig, iterationContext } from './context.js';
import { fakeStore, inMemoryClient } from './fake-store.js';

/** What the store saw over `iterations` iterations run by `workerCount` workers. */
async function journeySequence(config: JourneyConfig, iterations: number, workerCount = 1) {
  const store = fakeStore();
  const samples: Sample[] = [];
  const workers = Array.from({ length: workerCount }, (_, workerIndex) =>
    createJourney(config, { workerIndex, workerCount, client: inMemoryClient(store), runNonce: 'run' }),
  );
  // The engine hands worker w of n the iterations w, w + n, w + 2n, ... of the run.
  for (let iteration = 0; iteration < iterations; iteration++) {
    const worker = workers[iteration % workerCount];
    if (worker) await worker(iterationContext(iteration, samples));
  }
  return store.seen.map((r) => ({
    step: r.step,
    path: r.path,
    segment: r.headers['x-customer-segment'],
    session: r.headers['x-session-id'],
    key: r.headers['idempotency-key'],
  }));
}

describe('a seeded journey replays', () => {
  it('the same seed gives the same journeys: segments, steps, products, sessions and keys', async () => {
    const first = await journeySequence(checkoutConfig, 300);
    const second = await journeySequence(checkoutConfig, 300);
    expect(second).toEqual(first);
    expect(new Set(first.map((r) => r.segment))).toEqual(new Set(['guest', 'member', 'vip']));
  });

  it('another seed gives other journeys', async () => {
    const first = await journeySequence(checkoutConfig, 100);
    const other = await journeySequence({ ...checkoutConfig, seed: 8 }, 100);
    expect(other).not.toEqual(first);
  });

  it('two workers together run the journeys of one worker', async () => {
    const single = await journeySequence(checkoutConfig, 200, 1);
    const split = await journeySequence(checkoutConfig, 200, 2);
    expect(split).toEqual(single);
  });

  it('every iteration has its own session and idempotency key, prefixed by the run nonce', async () => {
    const rows = await journeySequence(checkoutConfig, 500);
    const keys = rows.flatMap((r) => (r.key === undefined ? [] : [r.key]));
    expect(keys.length).toBeGreaterThan(10);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => /^run-[0-9a-f]{32}$/.test(key))).toBe(true);
    const sessions = new Set(rows.map((r) => r.session));
    expect(sessions.size).toBe(rows.filter((r) => r.step === 'browse').length);
  });
});
