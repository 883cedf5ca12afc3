import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJourney } from '../../../src/loadgen/journey/index.js';
import type { JourneyConfig, Sample } from '../../../src/loadgen/plan.js';
import { checkoutConfig, iterationContext } from './context.js';
import { fakeStore, listen } from './fake-store.js';

const store = fakeStore();
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  server = await listen(store);
});
afterAll(() => server.close());
beforeEach(() => store.heal());

/** Runs iteration 0 (a full checkout with seed 7's first draw forced by the funnel) over real HTTP. */
async function iterate(config: Partial<JourneyConfig> = {}, signal?: AbortSignal): Promise<Sample[]> {
  const samples: Sample[] = [];
  const journey = createJourney(
    { ...checkoutConfig, target: server.url, funnel: { browse: 0, addToCart: 0, checkout: 1 }, ...config },
    { workerIndex: 0, workerCount: 1 },
  );
  try {
    await journey(iterationContext(0, samples, signal ? { signal } : {}));
  } finally {
    await journey.close();
  }
  return samples;
}

const outcome = (samples: readonly Sample[]) => samples.map((s) => `${s.step}:${s.error ?? 'ok'}`);

describe('failures are classified, and a failed step ends the iteration', () => {
  it('a healthy store passes every step', async () => {
    expect(outcome(await iterate())).toEqual([
      'browse:ok',
      'product:ok',
      'add-to-cart:ok',
      'cart:ok',
      'checkout:ok',
    ]);
  });

  it('a 5xx answer is http5xx', async () => {
    store.fail('add-to-cart', { status: 503 });
    expect(outcome(await iterate())).toEqual(['browse:ok', 'product:ok', 'add-to-cart:http5xx']);
  });

  it('a 4xx answer is http4xx', async () => {
    store.fail('product', { status: 404, body: '{"title":"not found"}' });
    expect(outcome(await iterate())).toEqual(['browse:ok', 'product:http4xx']);
  });

  it('a 2xx with the wrong body shape fails its check', async () => {
    store.fail('checkout', { body: '{"status":"paid"}' });
    expect(outcome(await iterate())).toContain('checkout:check');
    store.fail('browse', { body: 'not json' });
    expect(outcome(await iterate())).toEqual(['browse:check']);
    store.fail('browse', { body: '{"items":[]}' });
    expect(outcome(await iterate())).toEqual(['browse:check']);
  });

  it('accepts a bare array of products from browse', async () => {
    store.fail('browse', { body: '[{"id":"sku-1"}]' });
    const samples = await iterate();
    expect(outcome(samples)[1]).toBe('product:ok');
    expect(store.seen[1]?.path).toBe('/api/products/sku-1');
  });

  it('an answer slower than the request timeout is a timeout', async () => {
    // undici's timers tick every half second: the answer must come later than that.
    store.fail('cart', { delayMs: 2500 });
    expect(outcome(await iterate({ requestTimeoutMs: 100 }))).toEqual([
      'browse:ok',
      'product:ok',
      'add-to-cart:ok',
      'cart:timeout',
    ]);
  });

  it('a refused connection is a connection error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(outcome(await iterate({ target: `http://127.0.0.1:${port}` }))).toEqual(['browse:connection']);
  });

  it('a request cut short by the end of the run is not recorded', async () => {
    store.fail('browse', { delayMs: 400 });
    const run = new AbortController();
    setTimeout(() => run.abort(), 50);
    expect(await iterate({}, run.signal)).toEqual([]);
  });
});
