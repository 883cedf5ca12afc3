import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';
import { fastPayments, startTestStore, stockOf, type TestStore } from '../support/test-store.js';
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
} from './payment-test-support.js';

describe('checkout when the primary vendor cannot say whether it charged', () => {
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

  afterEach(async () => {
    resetVendors([primary, backup]);
    await resetPrimaryBreaker();
  });

  /**
   * These tests make the primary fail on purpose, which counts towards (or opens) its breaker; the
   * next test would then see a legitimate failover. One ordinary checkout, after the half-open delay
   * if the breaker is open, closes it and clears the count.
   */
  async function resetPrimaryBreaker(): Promise<void> {
    if ((await breakerState()) !== 0) {
      await new Promise((resolve) => setTimeout(resolve, fastPayments.breakerHalfOpenAfterMs + 50));
    }
    const run = await checkoutFresh(store, await nextProduct());
    expect(run.response.status).toBe(201);
    expect(orderOf(run).payment?.provider).toBe('primary');
    expect(await breakerState()).toBe(0);
  }

  const breakerState = () => metricValue(store, 'payment_circuit_breaker_state', { provider: 'primary' });

  const intentsFor = (vendor: PaymentVendor, orderId: string) =>
    vendor.intents().filter((intent) => intent.metadata['orderId'] === orderId);

  /** How the journal words an attempt the store's timeout cut off (the request aborted). */
  const timedOut = /aborted|timed out/;

  const journal = (orderId: string) =>
    store.sql<{ provider: string; status: string; error: string | null }>(
      'select provider, status, error from payments where order_id = $1 order by attempt',
      [orderId],
    );

  it('answers 202 payment_unknown when the primary times out before charging, and reconciliation later pays the order with exactly one charge', async () => {
    // The charge commits at 700 ms, long after the store's 300 ms timeout.
    primary.setBehaviour({ processingMs: 700 });
    const run = await checkoutFresh(store, await nextProduct());

    expect(run.response.status).toBe(202);
    const { orderId, status, payment } = orderOf(run);
    expect(status).toBe('payment_unknown');
    expect(payment?.provider).toBe('primary');
    const attempts = await journal(orderId);
    expect(attempts[0]).toMatchObject({ provider: 'primary', status: 'unknown' });
    expect(attempts[0]?.error).toMatch(timedOut);
    // The retry, with the same idempotency key, found the first request still running.
    expect(attempts.some((a) => a.error?.includes('idempotency_key_in_use'))).toBe(true);

    await waitUntil('the primary to commit the charge', () => chargesFor([primary], orderId).length === 1);
    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 1, failed: 0, unresolved: 0 });

    const [charge] = chargesFor([primary, backup], orderId);
    expect(chargesFor([primary, backup], orderId)).toHaveLength(1);
    expect(chargesFor([backup], orderId)).toEqual([]);
    expect(intentsFor(primary, orderId)).toHaveLength(1);
    expect(await storedOrder(store, orderId)).toMatchObject({
      status: 'paid',
      payment: { provider: 'primary', intentId: charge?.paymentIntent },
    });
    const report = await store.verify([{ idempotencyKey: run.key, orderId }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('answers 201 paid when the primary charged but answered after the timeout, because the lookup finds the intent', async () => {
    // Committed after 5 ms, answered (first time and every replay) after 450 ms: every attempt times out.
    primary.setBehaviour({ responseDelayMs: 450 });
    const run = await checkoutFresh(store, await nextProduct());

    expect(run.response.status).toBe(201);
    const { orderId, status, payment } = orderOf(run);
    expect(status).toBe('paid');
    const charges = chargesFor([primary, backup], orderId);
    expect(charges).toHaveLength(1);
    expect(payment).toEqual({ provider: 'primary', intentId: charges[0]?.paymentIntent });
    expect(intentsFor(primary, orderId)).toHaveLength(1);
    expect(intentsFor(backup, orderId)).toEqual([]);
    const attempts = await journal(orderId);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ provider: 'primary', status: 'unknown' });
      expect(attempt.error).toMatch(timedOut);
    }
    const report = await store.verify([{ idempotencyKey: run.key, orderId }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('never sends a timed-out payment to the backup, before or after reconciliation', async () => {
    const backupCreates = backup.stats().creates;
    const backupAttempts = await metricValue(store, 'payment_attempts_total', {
      provider: 'backup',
      outcome: 'succeeded',
    });
    primary.setBehaviour({ processingMs: 700 });
    const run = await checkoutFresh(store, await nextProduct());

    expect(run.response.status).toBe(202);
    const { orderId } = orderOf(run);
    expect(backup.stats().creates).toBe(backupCreates);
    expect(intentsFor(backup, orderId)).toEqual([]);
    expect((await journal(orderId)).map((a) => a.provider)).not.toContain('backup');

    await waitUntil('the primary to commit the charge', () => chargesFor([primary], orderId).length === 1);
    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 1, unresolved: 0 });
    expect(chargesFor([backup], orderId)).toEqual([]);
    expect(backup.stats().creates).toBe(backupCreates);
    expect(
      await metricValue(store, 'payment_attempts_total', { provider: 'backup', outcome: 'succeeded' }),
    ).toBe(backupAttempts);
    expect((await storedOrder(store, orderId)).payment?.provider).toBe('primary');
    expect((await store.verify([{ idempotencyKey: run.key, orderId }])).ok).toBe(true);
  });

  it('never fails over after a 500 from the primary, and reconciliation, finding no charge anywhere, fails the order and gives its stock back', async () => {
    const productId = await nextProduct();
    const backupCreates = backup.stats().creates;
    primary.setBehaviour({ failNext: { count: 100, status: 500 } });
    const run = await checkoutFresh(store, productId, { stock: 10 });

    expect(run.response.status).toBe(202);
    const { orderId } = orderOf(run);
    expect(await stockOf(store, productId)).toBe(9);
    expect(backup.stats().creates).toBe(backupCreates);

    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 0, failed: 1, unresolved: 0 });
    expect(await storedOrder(store, orderId)).toMatchObject({
      status: 'payment_failed',
      failureReason: 'not_found_at_vendor',
    });
    expect(await stockOf(store, productId)).toBe(10);
    expect(chargesFor([primary, backup], orderId)).toEqual([]);
    expect((await store.verify()).ok).toBe(true);
  });

  it('keeps the vendors’ secret keys and the payment tokens out of the logs', async () => {
    primary.setBehaviour({ failNext: { count: 100, status: 500 } });
    const run = await checkoutFresh(store, await nextProduct());
    expect(run.response.status).toBe(202);
    await store.reconcile({ graceMs: 0 });

    expect(store.logs()).toContain('payment outcome unknown');
    expectNoSecretsInLogs(store);
  });
});
