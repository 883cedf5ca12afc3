import { describe, expect, it } from 'vitest';
import { createJourney } from '../../../src/loadgen/journey/index.js';
import type { Sample } from '../../../src/loadgen/plan.js';
import { checkoutConfig, iterationContext } from './context.js';
import { fakeStore, inMemoryClient, manualClock } from './fake-store.js';

/** Runs iterations until one goes all the way to checkout; returns what the store saw of it. */
async function firstCheckout() {
  const store = fakeStore();
  const samples: Sample[] = [];
  const journey = createJourney(checkoutConfig, {
    workerIndex: 0,
    workerCount: 1,
    client: inMemoryClient(store),
  });
  for (let i = 0; !store.seen.some((r) => r.step === 'checkout'); i++) {
    store.seen.length = 0;
    await journey(iterationContext(i, samples));
  }
  return store.seen;
}

describe('the requests of a checkout iteration', () => {
  it('walk the funnel in order on the store API, viewing and adding a product from the browse answer', async () => {
    const seen = await firstCheckout();
    expect(seen.map((r) => `${r.method} ${r.step}`)).toEqual([
      'GET browse',
      'GET product',
      'POST add-to-cart',
      'GET cart',
      'POST checkout',
    ]);
    // The page that holds the product of the drawn popularity rank, twenty products a page.
    expect(seen[0]?.path).toMatch(/^\/api\/products\?limit=20&offset=(0|[1-9]\d*0)$/);
    const productId = Number(seen[1]?.path.replace('/api/products/', ''));
    expect(productId).toBeGreaterThanOrEqual(100);
    expect(productId).toBeLessThan(120);
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({ productId, quantity: 1 });
  });

  it('carry one session and the segment on every step, and an idempotency key on checkout only', async () => {
    const seen = await firstCheckout();
    const sessions = new Set(seen.map((r) => r.headers['x-session-id']));
    expect(sessions.size).toBe(1);
    expect(
      seen.every((r) => ['guest', 'member', 'vip'].includes(r.headers['x-customer-segment'] ?? '')),
    ).toBe(true);
    expect(seen.filter((r) => r.headers['idempotency-key'] !== undefined).map((r) => r.step)).toEqual([
      'checkout',
    ]);
  });

  it('pay with a test token, never a card number', async () => {
    const seen = await firstCheckout();
    const body = seen.find((r) => r.step === 'checkout')?.body ?? '';
    expect(JSON.parse(body)).toEqual({ paymentToken: 'tok_test_visa' });
    expect(seen.map((r) => r.body).join('')).not.toMatch(/\d{12,19}/);
  });

  it('single sends one GET to the target URL itself, tagged with a segment', async () => {
    const store = fakeStore();
    const samples: Sample[] = [];
    const journey = createJourney(
      { ...checkoutConfig, kind: 'single', target: 'http://127.0.0.1:1/api/cart?x=1' },
      { workerIndex: 0, workerCount: 1, client: inMemoryClient(store) },
    );
    await journey(iterationContext(0, samples));
    expect(store.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/cart?x=1']);
    expect(samples.map((s) => s.step)).toEqual(['single']);
    expect(['guest', 'member', 'vip']).toContain(samples[0]?.segment);
  });
});

describe('latency of an iteration', () => {
  it("counts the first request from the iteration's scheduled start, later ones from their own", async () => {
    const store = fakeStore();
    store.fail('product', { status: 500 });
    const clock = manualClock(5000);
    const samples: Sample[] = [];
    const journey = createJourney(checkoutConfig, {
      workerIndex: 0,
      workerCount: 1,
      client: inMemoryClient(store, clock, 40),
      clock,
    });
    // Scheduled at 1,000 ms but started 250 ms late, waiting for a free slot.
    await journey(iterationContext(0, samples, { scheduledAtMs: 1000, startedAtMs: 1250 }));
    const segment = samples[0]?.segment ?? '';
    expect(samples).toEqual([
      { step: 'browse', segment, latencyMs: 290, endedAtMs: 1290, status: 200 },
      { step: 'product', segment, latencyMs: 40, endedAtMs: 1330, status: 500, error: 'http5xx' },
    ]);
  });
});
