import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';
import { startTestStore, stockOf, type TestStore } from '../support/test-store.js';
import {
  chargesFor,
  checkoutFresh,
  expectNoSecretsInLogs,
  productPicker,
  resetVendors,
  simulators,
  storedOrder,
} from './payment-test-support.js';

describe('checkout with a card the vendor declines', () => {
  let store: TestStore;
  let primary: PaymentVendor;
  let backup: PaymentVendor;
  let nextProduct: () => Promise<string>;

  beforeAll(async () => {
    store = await startTestStore();
    ({ primary, backup } = simulators(store));
    nextProduct = productPicker(store);
  }, 60_000);

  afterAll(async () => {
    await store?.stop();
  });

  afterEach(() => {
    resetVendors([primary, backup]);
  });

  it('answers 402 with a problem naming the order, fails the order, gives its stock back and charges nothing', async () => {
    const productId = await nextProduct();
    const run = await checkoutFresh(store, productId, {
      paymentToken: 'tok_chargeDeclined',
      quantity: 2,
      stock: 10,
    });

    expect(run.response.status).toBe(402);
    expect(run.response.headers.get('content-type')).toContain('application/problem+json');
    expect(run.body['type']).toBe('https://shopsre.dev/problems/payment-declined');
    const orderId = String(run.body['orderId']);
    expect(orderId).toMatch(/^ord_/);
    expect(await storedOrder(store, orderId)).toMatchObject({
      status: 'payment_failed',
      failureReason: 'declined',
    });
    expect(await stockOf(store, productId)).toBe(10);
    expect(chargesFor([primary, backup], orderId)).toEqual([]);
    // Declined is an answer, not an outage: the backup is not asked.
    expect(backup.intents().filter((i) => i.metadata['orderId'] === orderId)).toEqual([]);
    expect(primary.intents().filter((i) => i.metadata['orderId'] === orderId)).toMatchObject([
      { status: 'requires_payment_method', latestCharge: null },
    ]);
    const report = await store.verify();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('answers a decline with problem details whose status member is the HTTP status, 402', async () => {
    const run = await checkoutFresh(store, await nextProduct(), { paymentToken: 'tok_chargeDeclined' });

    expect(run.response.status).toBe(402);
    // RFC 9457 §3.1.2: "status" is the HTTP status code, a JSON number.
    expect(run.body['status']).toBe(402);
  });

  it('keeps the vendors’ secret keys and the payment tokens out of the logs', async () => {
    const declined = await checkoutFresh(store, await nextProduct(), { paymentToken: 'tok_chargeDeclined' });
    expect(declined.response.status).toBe(402);
    const paid = await checkoutFresh(store, await nextProduct());
    expect(paid.response.status).toBe(201);

    expectNoSecretsInLogs(store);
  });
});
