import { afterEach, describe, expect, it } from 'vitest';
import { stockOf } from '../support/test-store.js';
import {
  chargesFor,
  checkoutFresh,
  expectNoSecretsInLogs,
  resetVendors,
  storedOrder,
  usePaymentStore,
} from './payment-test-support.js';

describe('checkout with a card the vendor declines', () => {
  const fixture = usePaymentStore();

  afterEach(() => {
    resetVendors([fixture.primary, fixture.backup]);
  });

  it('answers 402 with a problem naming the order, fails the order, gives its stock back and charges nothing', async () => {
    const productId = await fixture.nextProduct();
    const run = await checkoutFresh(fixture.store, productId, {
      paymentToken: 'tok_chargeDeclined',
      quantity: 2,
      stock: 10,
    });

    expect(run.response.status).toBe(402);
    expect(run.response.headers.get('content-type')).toContain('application/problem+json');
    expect(run.body['type']).toBe('https://shopsre.dev/problems/payment-declined');
    const orderId = String(run.body['orderId']);
    expect(orderId).toMatch(/^ord_/);
    expect(await storedOrder(fixture.store, orderId)).toMatchObject({
      status: 'payment_failed',
      failureReason: 'declined',
    });
    expect(await stockOf(fixture.store, productId)).toBe(10);
    expect(chargesFor([fixture.primary, fixture.backup], orderId)).toEqual([]);
    // Declined is an answer, not an outage: the fixture.backup is not asked.
    expect(fixture.backup.intents().filter((i) => i.metadata['orderId'] === orderId)).toEqual([]);
    expect(fixture.primary.intents().filter((i) => i.metadata['orderId'] === orderId)).toMatchObject([
      { status: 'requires_payment_method', latestCharge: null },
    ]);
    const report = await fixture.store.verify();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('answers a decline with problem details whose status member is the HTTP status, 402', async () => {
    const run = await checkoutFresh(fixture.store, await fixture.nextProduct(), {
      paymentToken: 'tok_chargeDeclined',
    });

    expect(run.response.status).toBe(402);
    // RFC 9457 §3.1.2: "status" is the HTTP status code, a JSON number.
    expect(run.body['status']).toBe(402);
  });

  it('keeps the vendors’ secret keys and the payment tokens out of the logs', async () => {
    const declined = await checkoutFresh(fixture.store, await fixture.nextProduct(), {
      paymentToken: 'tok_chargeDeclined',
    });
    expect(declined.response.status).toBe(402);
    const paid = await checkoutFresh(fixture.store, await fixture.nextProduct());
    expect(paid.response.status).toBe(201);

    expectNoSecretsInLogs(fixture.store);
  });
});
