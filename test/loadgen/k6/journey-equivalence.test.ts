import { beforeAll, describe, expect, it } from 'vitest';
import { createJourney } from '../../../src/loadgen/journey/index.js';
import { renderK6Script } from '../../../src/loadgen/k6/script.js';
import type { JourneyConfig, Sample } from '../../../src/loadgen/plan.js';
import type { Slo } from '../../../src/slo/model.js';
import { iterationContext } from '../journey/context.js';
import { fakeStore, inMemoryClient, type FakeStore } from '../journey/fake-store.js';
import { exampleSlos, plan } from './fixtures.js';
import { loadK6Script, type K6Sandbox } from './k6-sandbox.js';

const iterations = 400;
/** k6's scenario start time, whose low 32 bits in hex are the script's run nonce. */
const startTime = 0x5eed5eed;
const runNonce = '5eed5eed';

async function builtIn(config: JourneyConfig, store: FakeStore, count = iterations): Promise<Sample[]> {
  const samples: Sample[] = [];
  const runner = createJourney(config, {
    workerIndex: 0,
    workerCount: 1,
    client: inMemoryClient(store),
    runNonce,
  });
  for (let i = 0; i < count; i++) await runner(iterationContext(i, samples));
  await runner.close();
  return samples;
}

function k6(
  kind: JourneyConfig['kind'],
  store: FakeStore,
  slos: readonly Slo[] = [],
  count = iterations,
): K6Sandbox {
  const sandbox = loadK6Script(
    renderK6Script(plan('constant-arrival-rate', kind), slos, { version: 'test' }),
    store,
    startTime,
  );
  for (let i = 0; i < count; i++) sandbox.iterate(i);
  return sandbox;
}

let slos: Slo[] = [];
beforeAll(async () => {
  slos = await exampleSlos();
});

describe('the k6 script sends what `shopsre load run` sends for the same seed', () => {
  it('iteration by iteration: the same requests, segments, funnel depths, products, sessions and idempotency keys', async () => {
    const ours = fakeStore();
    const theirs = fakeStore();
    await builtIn(plan('constant-arrival-rate').journey, ours);
    k6('checkout', theirs);
    expect(theirs.seen).toEqual(ours.seen);
    // The comparison is worth something only if the run took every path.
    const steps = new Set(ours.seen.map((r) => r.step));
    const segments = new Set(ours.seen.map((r) => r.headers['x-customer-segment']));
    expect([...steps].sort()).toEqual(['add-to-cart', 'browse', 'cart', 'checkout', 'product']);
    expect([...segments].sort()).toEqual(['guest', 'member', 'vip']);
    expect(ours.seen.find((r) => r.step === 'checkout')?.headers['idempotency-key']).toMatch(
      /^5eed5eed-[0-9a-f]{32}$/,
    );
  });

  it('a failed step ends the iteration in both, as a shopper who hits an error leaves', async () => {
    const ours = fakeStore();
    const theirs = fakeStore();
    for (const store of [ours, theirs]) store.fail('cart', { status: 503, body: '{"title":"unavailable"}' });
    await builtIn(plan('constant-arrival-rate').journey, ours);
    k6('checkout', theirs);
    expect(theirs.seen).toEqual(ours.seen);
    expect(ours.seen.some((r) => r.step === 'checkout')).toBe(false);
  });

  it('the single journey GETs the target URL with the segment our planner draws', async () => {
    const ours = fakeStore();
    const theirs = fakeStore();
    await builtIn(plan('constant-vus', 'single').journey, ours);
    k6('single', theirs);
    expect(theirs.seen).toEqual(ours.seen);
    expect(theirs.seen[0]).toMatchObject({ method: 'GET', path: '/healthz?probe=1' });
  });
});

describe('each request of the k6 script', () => {
  it('is tagged with its step, its segment and a URL template, times out like ours and follows no redirect', () => {
    const sandbox = k6('checkout', fakeStore());
    const product = sandbox.requests.find((r) => r.params.tags.step === 'product');
    expect(product?.params).toMatchObject({
      tags: {
        step: 'product',
        segment: expect.stringMatching(/^(guest|member|vip)$/) as unknown,
        name: '/api/products/:id',
      },
      timeout: '10s',
      redirects: 0,
      responseType: 'text',
    });
    const names = new Set(sandbox.requests.map((r) => `${r.method} ${r.params.tags.name}`));
    expect([...names].sort()).toEqual([
      'GET /api/cart',
      'GET /api/products',
      'GET /api/products/:id',
      'POST /api/cart/items',
      'POST /api/checkout',
    ]);
    expect(
      sandbox.requests.every((r) => r.params.headers['x-customer-segment'] === r.params.tags.segment),
    ).toBe(true);
  });

  it('has one check named after its step, failing on a non-2xx status or a body of the wrong shape', () => {
    const store = fakeStore();
    store.fail('product', { status: 200, body: '{"name":"no id"}' });
    const sandbox = k6('checkout', store);
    const byName = (name: string) => sandbox.checks.filter((c) => c.name === name);
    expect(byName('browse answered 2xx with the expected body').every((c) => c.passed)).toBe(true);
    const product = byName('product answered 2xx with the expected body');
    expect(product.length).toBe(iterations);
    expect(product.every((c) => !c.passed)).toBe(true);
    expect(sandbox.checks).toHaveLength(2 * iterations);
  });
});

describe('the SLO metrics of the k6 script', () => {
  it('receive exactly the requests each SLO counts, and count failures as our results do', async () => {
    const ours = fakeStore();
    const theirs = fakeStore();
    for (const store of [ours, theirs]) store.fail('checkout', { status: 503, body: '{}' });
    // Enough iterations that VIP shoppers (5 %) reach checkout (1 in 10 of them).
    const samples = await builtIn(plan('constant-arrival-rate').journey, ours, 3000);
    const sandbox = k6('checkout', theirs, slos, 3000);
    expect(sandbox.metrics.size).toBe(slos.length);
    for (const slo of slos) {
      const counted = samples.filter(
        (s) =>
          (slo.segment === undefined || s.segment === slo.segment.value) &&
          (slo.loadResults.steps.length === 0 || slo.loadResults.steps.includes(s.step)),
      );
      const metric = sandbox.metrics.get(`slo_${slo.id.replaceAll('-', '_')}`);
      expect(metric?.samples.length, slo.id).toBe(counted.length);
      expect(counted.length, slo.id).toBeGreaterThan(0);
      if (slo.loadResults.kind === 'availability') {
        expect(metric?.type).toBe('Rate');
        const failed = metric?.samples.filter((sample) => sample.value === true).length;
        expect(failed, slo.id).toBe(counted.filter((s) => s.error !== undefined).length);
      } else {
        expect(metric?.type).toBe('Trend');
        expect(metric?.samples.every((sample) => sample.value === 12.5)).toBe(true);
      }
    }
  });
});
