import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRequest, newKey, shopper } from '../support/test-store.js';
import { metricSum, startSwitchedStore, type SwitchedStore } from './switched-store.js';

const maxInFlight = 3;
const shoppers = 12;
const overloaded = 'https://shopsre.dev/problems/overloaded';

let s: SwitchedStore;
let answers: { status: number; retryAfter: string | null; type: string | undefined }[] = [];
let duringOverload: { healthz: number; metrics: number; metricsText: string } | undefined;

beforeAll(async () => {
  s = await startSwitchedStore({ settings: { maxInFlight } });
  // Carts filled three at a time: never shed, and the pool holds warm connections for the burst.
  const carts = Array.from({ length: shoppers }, () => shopper().headers);
  for (let i = 0; i < shoppers; i += maxInFlight) {
    const added = await Promise.all(
      carts.slice(i, i + maxInFlight).map((headers, j) =>
        s.fetch('/api/cart/items', {
          method: 'POST',
          headers,
          json: { productId: `p-${String(i + j + 1).padStart(5, '0')}` },
        }),
      ),
    );
    expect(added.map((r) => r.status)).toEqual(added.map(() => 201));
  }
  // Each served checkout holds its slot for the vendor's 400 ms, long after the rest were shed.
  s.deps.vendorSimulators[0]?.setBehaviour({ processingMs: 400 });

  let firstShed: () => void = () => undefined;
  const shedSeen = new Promise<void>((resolve) => (firstShed = resolve));
  const checkouts = carts.map(async (headers) => {
    const response = await s.fetch('/api/checkout', checkoutRequest(headers, newKey()));
    if (response.status === 503) firstShed();
    const body = (await response.json()) as { type?: string };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), type: body.type };
  });
  await Promise.race([shedSeen, Promise.all(checkouts)]);
  const healthz = await s.fetch('/healthz');
  const metrics = await s.fetch('/metrics');
  duringOverload = { healthz: healthz.status, metrics: metrics.status, metricsText: await metrics.text() };
  answers = await Promise.all(checkouts);
});

afterAll(async () => {
  await s?.stop();
});

describe(`a store with maxInFlight ${maxInFlight} under ${shoppers} checkouts at once`, () => {
  it(`serves at most ${maxInFlight} and sheds the rest with 503 overloaded and Retry-After: 1`, () => {
    const shed = answers.filter((a) => a.type === overloaded);
    const served = answers.filter((a) => a.type !== overloaded);
    expect(served.length).toBeGreaterThan(0);
    expect(served.length).toBeLessThanOrEqual(maxInFlight);
    expect(shed.length).toBe(shoppers - served.length);
    for (const answer of shed) {
      expect(answer).toEqual({
        status: 503,
        retryAfter: '1',
        type: overloaded,
      });
    }
  });

  it('completes the checkouts it let in (201)', () => {
    const letIn = answers.filter((a) => a.type !== overloaded);
    expect(letIn.length).toBeGreaterThan(0);
    expect(letIn.map((a) => a.status)).toEqual(letIn.map(() => 201));
  });

  it('counts every shed request in http_requests_shed_total', async () => {
    const text = await (await s.fetch('/metrics')).text();
    const shed = answers.filter((a) => a.type === overloaded).length;
    expect(metricSum(text, 'http_requests_shed_total')).toBe(shed);
    expect(metricSum(text, 'http_requests_shed_total', { segment: 'guest' })).toBe(shed);
  });

  it('never sheds /healthz or /metrics, even while the checkouts hold every slot', () => {
    expect(duringOverload?.healthz).toBe(200);
    expect(duringOverload?.metrics).toBe(200);
    const text = duringOverload?.metricsText ?? '';
    expect(metricSum(text, 'http_requests_shed_total')).toBeGreaterThan(0);
    // The /metrics request itself plus at least one checkout still waiting on the vendor.
    expect(metricSum(text, 'http_requests_in_flight')).toBeGreaterThanOrEqual(2);
  });

  it('keeps its invariants after the overload', async () => {
    const report = await s.store.verify();
    expect(report.violations).toEqual([]);
    expect(report.counts.orders).toMatchObject({ paid: answers.filter((a) => a.status === 201).length });
  });
});
