import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStore, type RunningStore, type StoreOptions } from '../../../reference-store/src/store.js';
import type { PaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';
import {
  chargesFor,
  checkoutFresh,
  expectNoSecretsInLogs,
  metricValue,
  orderOf,
  productPicker,
  resetVendors,
  simulators,
  storedOrder,
  waitUntil,
} from '../payments/payment-test-support.js';
import { startDelayingProxy, type DelayingProxy } from './delaying-proxy.js';
import {
  addToCart,
  checkoutRequest,
  fastPayments,
  newKey,
  setStock,
  shopper,
  stockOf,
  type TestStore,
} from './test-store.js';

/**
 * A charge must never outlive its order: with no reconciliation grace at all, and a vendor that
 * answers after the store's timeout (fastPayments: 300 ms), every charge ends up on a paid order or
 * refunded. Registered for the embedded PGlite (test/reference-store/payments/late-charges.test.ts)
 * and for a real PostgreSQL (test/real/store-postgres.test.ts).
 */
export function lateChargeBehaviour(start: (options: StoreOptions) => Promise<TestStore>): void {
  let store: TestStore;
  let proxy: DelayingProxy | undefined;
  let primary: PaymentVendor;
  let backup: PaymentVendor;
  let nextProduct: () => Promise<string>;

  beforeAll(async () => {
    store = await start({
      // The primary vendor is reached through a hop that can hold payment requests back.
      interpose: async (link, upstream) => {
        if (link !== 'vendor-primary') return upstream;
        proxy = await startDelayingProxy(upstream);
        return proxy.url;
      },
    });
    ({ primary, backup } = simulators(store));
    nextProduct = productPicker(store);
  }, 120_000);

  afterAll(async () => {
    await store?.stop();
    await proxy?.close();
  });

  afterEach(async () => {
    proxy?.setCreateDelayMs(0);
    // Requests still held go through before the next test, so none lands in it.
    await waitUntil('held payment requests to reach the vendor', () => (proxy?.pending() ?? 0) === 0, {
      timeoutMs: 10_000,
    });
    resetVendors([primary, backup]);
  });

  const refundRows = (orderId: string) =>
    store.sql<{ provider: string; intent_id: string; refund_id: string; amount_cents: number }>(
      'select provider, intent_id, refund_id, amount_cents from refunds where order_id = $1',
      [orderId],
    );

  const refundsAt = (vendor: PaymentVendor, orderId: string) =>
    vendor.refunds().filter((refund) => refund.orderId === orderId);

  it('never fails an order while its vendor is still processing the payment, even with no grace, and pays it once the charge lands', async () => {
    // The charge commits at 2.5 s, long after the store's 300 ms timeout, its retries and its lookup.
    primary.setBehaviour({ processingMs: 2500 });
    const productId = await nextProduct();
    const run = await checkoutFresh(store, productId, { stock: 10 });
    expect(run.response.status).toBe(202);
    const { orderId } = orderOf(run);
    expect(primary.intents().filter((intent) => intent.metadata['orderId'] === orderId)).toMatchObject([
      { status: 'processing' },
    ]);

    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 0, failed: 0, unresolved: 1 });
    expect((await storedOrder(store, orderId)).status).toBe('payment_unknown');
    expect(await stockOf(store, productId)).toBe(9);

    await waitUntil('the primary to commit the charge', () => chargesFor([primary], orderId).length === 1, {
      timeoutMs: 5000,
    });
    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 1, failed: 0, refunded: 0 });
    const [charge] = chargesFor([primary, backup], orderId);
    expect(await storedOrder(store, orderId)).toMatchObject({
      status: 'paid',
      payment: { provider: 'primary', intentId: charge?.paymentIntent },
    });
    expect(chargesFor([primary, backup], orderId)).toHaveLength(1);
    expect(refundsAt(primary, orderId)).toEqual([]);
    const report = await store.verify([{ idempotencyKey: run.key, orderId }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('refunds, once and through the vendor, a charge that reached the vendor after reconciliation had failed its order', async () => {
    const refundedBefore = await metricValue(store, 'payment_reconciliations_total', { outcome: 'refunded' });
    // Every attempt, and the lookup after them, is over before the first attempt reaches the vendor.
    proxy?.setCreateDelayMs(1500);
    const productId = await nextProduct();
    const run = await checkoutFresh(store, productId, { stock: 10 });
    expect(run.response.status).toBe(202);
    const { orderId } = orderOf(run);
    // No vendor has heard of the payment: failing the order is right at this point.
    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ failed: 1, refunded: 0 });
    expect(await storedOrder(store, orderId)).toMatchObject({ status: 'payment_failed' });
    expect(await stockOf(store, productId)).toBe(10);

    await waitUntil('the held request to charge', () => chargesFor([primary], orderId).length === 1, {
      timeoutMs: 5000,
    });
    await waitUntil('every held retry to reach the vendor', () => proxy?.pending() === 0, {
      timeoutMs: 5000,
    });
    const [charge] = chargesFor([primary], orderId);
    const before = await store.verify();
    expect(before.violations).toContainEqual({
      invariant: 'charge-has-paid-order-or-refund',
      detail: expect.stringContaining(
        `primary ${charge?.id}: order ${orderId} is not a paid order`,
      ) as string,
    });

    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 0, refunded: 1 });
    const refunds = refundsAt(primary, orderId);
    expect(refunds).toMatchObject([
      { charge: charge?.id, paymentIntent: charge?.paymentIntent, amount: charge?.amount },
    ]);
    expect(await refundRows(orderId)).toEqual([
      {
        provider: 'primary',
        intent_id: charge?.paymentIntent,
        refund_id: refunds[0]?.id,
        amount_cents: charge?.amount,
      },
    ]);
    expect(await storedOrder(store, orderId)).toMatchObject({ status: 'payment_failed' });

    // Never twice: later reconciliations find the refund in the ledger and in the database.
    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ refunded: 0 });
    expect(refundsAt(primary, orderId)).toHaveLength(1);
    expect(await refundRows(orderId)).toHaveLength(1);
    expect(await metricValue(store, 'payment_reconciliations_total', { outcome: 'refunded' })).toBe(
      refundedBefore + 1,
    );

    const after = await store.verify([{ idempotencyKey: run.key, orderId }]);
    expect(after.violations).toEqual([]);
    expect(after.counts.refunds.primary).toBe(primary.refunds().length);
    expectNoSecretsInLogs(store);
  });

  describe('with a second store process on the same database', () => {
    let twin: RunningStore;
    beforeAll(async () => {
      // Its payment timeout (3 s) outlasts the hold, so its checkout sees the charge succeed.
      twin = await startStore(
        {
          databaseUrl: store.dependencies.databaseUrl,
          vendors: store.endpoints.vendors,
          cdnUrl: store.dependencies.cdnUrl,
        },
        {
          reconcileIntervalMs: 0,
          drainMs: 0,
          logSink: { write: () => true },
          payment: { ...fastPayments, timeoutMs: 3000 },
        },
      );
    }, 60_000);
    afterAll(async () => {
      await twin?.stop();
    });

    it('answers the failed order, not a paid one, when the other process failed it while the payment was on its way, and the charge is refunded', async () => {
      proxy?.setCreateDelayMs(1000);
      const productId = await nextProduct();
      await setStock(store, productId, 10);
      const { headers } = shopper();
      await addToCart(store, headers, productId);
      const key = newKey();
      const init = checkoutRequest(headers, key);
      const answered = Promise.resolve(
        twin.app.request('/api/checkout', {
          ...init,
          headers: { ...(init.headers as Record<string, string>), 'content-type': 'application/json' },
          body: JSON.stringify(init.json),
        }),
      );
      await waitUntil('the twin to create the order', async () => {
        const rows = await store.sql('select 1 from orders where idempotency_key = $1', [key]);
        return rows.length === 1;
      });
      // This process has no checkout in flight for the key, and no vendor has the payment yet.
      expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ failed: 1 });

      const response = await answered;
      const body = (await response.json()) as { orderId: string; orderStatus: string };
      expect(response.status).toBe(402);
      expect(body.orderStatus).toBe('payment_failed');
      expect(await storedOrder(store, body.orderId)).toMatchObject({
        status: 'payment_failed',
        failureReason: 'not_found_at_vendor',
      });
      expect(chargesFor([primary], body.orderId)).toHaveLength(1);

      expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ refunded: 1 });
      expect(refundsAt(primary, body.orderId)).toHaveLength(1);
      expect(await stockOf(store, productId)).toBe(10);
      expect((await store.verify()).violations).toEqual([]);
    });
  });
}
