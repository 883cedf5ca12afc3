import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listenApp, type ListeningServer } from '../../../reference-store/src/http/listen.js';
import type { VendorEndpoint } from '../../../reference-store/src/payments/vendor-client.js';
import { createPaymentVendor, type PaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';
import { fastPayments, startTestStore, stockOf, type TestStore } from '../support/test-store.js';
import {
  chargesFor,
  checkoutAgain,
  checkoutFresh,
  expectNoSecretsInLogs,
  metricValue,
  orderOf,
  productPicker,
  resetVendors,
  waitUntil,
} from './payment-test-support.js';

/** A simulator behind a front that counts the create requests reaching it, injected failures included. */
interface CountedVendor {
  readonly simulator: PaymentVendor;
  readonly endpoint: VendorEndpoint;
  createRequests(): number;
  close(): Promise<void>;
}

async function startCountedVendor(name: string): Promise<CountedVendor> {
  const secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  const simulator = createPaymentVendor({ name, secretKey });
  let creates = 0;
  const front = new Hono();
  front.use('*', async (c, next) => {
    if (c.req.method === 'POST' && c.req.path === '/v1/payment_intents') creates++;
    await next();
  });
  front.all('*', (c) => simulator.app.fetch(c.req.raw));
  const server: ListeningServer = await listenApp(front, 0, '127.0.0.1');
  return {
    simulator,
    endpoint: { name, url: server.url, secretKey },
    createRequests: () => creates,
    close: () => server.close(),
  };
}

/** Long enough that two checkouts surely fit while the breaker is open. */
const halfOpenAfterMs = 1500;

describe('checkout when payment vendors refuse to process', () => {
  let store: TestStore;
  let primary: CountedVendor;
  let backup: CountedVendor;
  let nextProduct: () => Promise<string>;

  beforeAll(async () => {
    primary = await startCountedVendor('primary');
    backup = await startCountedVendor('backup');
    store = await startTestStore({
      vendors: [primary.endpoint, backup.endpoint],
      payment: { ...fastPayments, breakerHalfOpenAfterMs: halfOpenAfterMs },
    });
    nextProduct = productPicker(store);
  }, 60_000);

  afterAll(async () => {
    await store?.stop();
    await Promise.all([primary?.close(), backup?.close()]);
  });

  afterEach(() => {
    resetVendors([primary.simulator, backup.simulator]);
  });

  const vendors = () => [primary.simulator, backup.simulator];
  const breakerState = () => metricValue(store, 'payment_circuit_breaker_state', { provider: 'primary' });
  const primaryAttempts = (outcome: string) =>
    metricValue(store, 'payment_attempts_total', { provider: 'primary', outcome });

  /** A checkout that must be paid; returns who was paid. */
  async function paidCheckout(): Promise<string | undefined> {
    const run = await checkoutFresh(store, await nextProduct());
    expect(run.response.status).toBe(201);
    const order = orderOf(run);
    expect(chargesFor(vendors(), order.orderId)).toHaveLength(1);
    return order.payment?.provider;
  }

  it('pays through the backup while the primary answers 503, opens the primary’s breaker, stops calling the primary, and closes the breaker once the primary has recovered', async () => {
    primary.simulator.setBehaviour({ failNext: { count: 1000, status: 503 } });

    // Every checkout fails over; after breakerFailures consecutive 503s the breaker opens.
    for (let i = 0; i < fastPayments.breakerFailures && (await breakerState()) !== 1; i++) {
      expect(await paidCheckout()).toBe('backup');
    }
    expect(await breakerState()).toBe(1);
    expect(primary.simulator.ledger()).toEqual([]);
    const openedAt = performance.now();

    // While it is open, checkouts go straight to the backup: nothing reaches the primary.
    const reached = primary.createRequests();
    const errors = await primaryAttempts('error');
    const circuitOpen = await primaryAttempts('circuit_open');
    expect(circuitOpen).toBeGreaterThan(0);
    expect(await paidCheckout()).toBe('backup');
    expect(await paidCheckout()).toBe('backup');
    expect(performance.now() - openedAt).toBeLessThan(halfOpenAfterMs);
    expect(primary.createRequests()).toBe(reached);
    expect(await primaryAttempts('error')).toBe(errors);
    expect(await primaryAttempts('circuit_open')).toBe(circuitOpen + 2);

    // Recovered: once the half-open delay has passed, a checkout is let through to the primary.
    primary.simulator.setBehaviour({ failNext: { count: 0, status: 503 } });
    const primaryCreates = primary.simulator.stats().creates;
    let provider: string | undefined;
    await waitUntil(
      'a checkout paid at the primary',
      async () => {
        provider = await paidCheckout();
        return provider === 'primary';
      },
      { timeoutMs: halfOpenAfterMs + 3000, intervalMs: 150 },
    );
    expect(provider).toBe('primary');
    expect(primary.createRequests()).toBe(reached + 1);
    expect(primary.simulator.stats().creates).toBe(primaryCreates + 1);
    expect(await breakerState()).toBe(0);
    expect(await paidCheckout()).toBe('primary');
    expect((await store.verify()).ok).toBe(true);
  });

  it('answers 503 with Retry-After, keeps no order and gives the stock back when both vendors answer 503, and the same key pays once the vendors recover', async () => {
    for (const vendor of vendors()) vendor.setBehaviour({ failNext: { count: 1000, status: 503 } });
    const productId = await nextProduct();
    const charged = () => primary.simulator.ledger().length + backup.simulator.ledger().length;
    const chargedBefore = charged();
    const refused = await checkoutFresh(store, productId, { stock: 10 });

    expect(refused.response.status).toBe(503);
    expect(refused.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.response.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 503 });
    const orders = await store.sql<{ n: string }>(
      'select count(*) as n from orders where idempotency_key = $1',
      [refused.key],
    );
    expect(Number(orders[0]?.n)).toBe(0);
    expect(await stockOf(store, productId)).toBe(10);
    expect(charged()).toBe(chargedBefore);

    resetVendors(vendors());
    const retried = await checkoutAgain(store, refused);
    expect(retried.response.status).toBe(201);
    const { orderId, status } = orderOf(retried);
    expect(status).toBe('paid');
    expect(chargesFor(vendors(), orderId)).toHaveLength(1);
    expect(await stockOf(store, productId)).toBe(9);
    const report = await store.verify([{ idempotencyKey: retried.key, orderId }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('keeps the vendors’ secret keys and the payment tokens out of the logs', async () => {
    for (const vendor of vendors()) vendor.setBehaviour({ failNext: { count: 1000, status: 503 } });
    const refused = await checkoutFresh(store, await nextProduct());
    expect(refused.response.status).toBe(503);

    expect(store.logs()).toContain('no payment vendor available');
    expectNoSecretsInLogs(store);
  });
});
