import { afterEach, describe, expect, it } from 'vitest';
import type { PaymentVendor } from '../../../reference-store/vendors/payment-vendor.js';
import { fastPayments, stockOf } from '../support/test-store.js';
import {
  chargesFor,
  checkoutFresh,
  expectNoSecretsInLogs,
  metricValue,
  orderOf,
  resetVendors,
  storedOrder,
  usePaymentStore,
  waitUntil,
} from './payment-test-support.js';

describe('checkout when the primary vendor cannot say whether it charged', () => {
  const fixture = usePaymentStore();

  afterEach(async () => {
    resetVendors([fixture.primary, fixture.backup]);
    await resetPrimaryBreaker();
  });

  /**
   * These tests make the fixture.primary fail on purpose, which counts towards (or opens) its breaker; the
   * next test would then see a legitimate failover. One ordinary checkout, after the half-open delay
   * if the breaker is open, closes it and clears the count.
   */
  async function resetPrimaryBreaker(): Promise<void> {
    if ((await breakerState()) !== 0) {
      await new Promise((resolve) => setTimeout(resolve, fastPayments.breakerHalfOpenAfterMs + 50));
    }
    const run = await checkoutFresh(fixture.store, await fixture.nextProduct());
    expect(run.response.status).toBe(201);
    expect(orderOf(run).payment?.provider).toBe('primary');
    expect(await breakerState()).toBe(0);
  }

  const breakerState = () =>
    metricValue(fixture.store, 'payment_circuit_breaker_state', { provider: 'primary' });

  const intentsFor = (vendor: PaymentVendor, orderId: string) =>
    vendor.intents().filter((intent) => intent.metadata['orderId'] === orderId);

  /** How the journal words an attempt the store's timeout cut off (the request aborted). */
  const timedOut = /aborted|timed out/;

  const journal = (orderId: string) =>
    fixture.store.sql<{ provider: string; status: string; error: string | null }>(
      'select provider, status, error from payments where order_id = $1 order by attempt',
      [orderId],
    );

  it('answers 202 payment_unknown when the primary times out before charging, and reconciliation later pays the order with exactly one charge', async () => {
    // The charge commits at 700 ms, long after the store's 300 ms timeout.
    fixture.primary.setBehaviour({ processingMs: 700 });
    const run = await checkoutFresh(fixture.store, await fixture.nextProduct());

    expect(run.response.status).toBe(202);
    const { orderId, status, payment } = orderOf(run);
    expect(status).toBe('payment_unknown');
    expect(payment?.provider).toBe('primary');
    const attempts = await journal(orderId);
    expect(attempts[0]).toMatchObject({ provider: 'primary', status: 'unknown' });
    expect(attempts[0]?.error).toMatch(timedOut);
    // The retry, with the same idempotency key, found the first request still running.
    expect(attempts.some((a) => a.error?.includes('idempotency_key_in_use'))).toBe(true);

    await waitUntil(
      'the primary to commit the charge',
      () => chargesFor([fixture.primary], orderId).length === 1,
    );
    expect(await fixture.store.reconcile({ graceMs: 0 })).toMatchObject({
      paid: 1,
      failed: 0,
      unresolved: 0,
    });

    const [charge] = chargesFor([fixture.primary, fixture.backup], orderId);
    expect(chargesFor([fixture.primary, fixture.backup], orderId)).toHaveLength(1);
    expect(chargesFor([fixture.backup], orderId)).toEqual([]);
    expect(intentsFor(fixture.primary, orderId)).toHaveLength(1);
    expect(await storedOrder(fixture.store, orderId)).toMatchObject({
      status: 'paid',
      payment: { provider: 'primary', intentId: charge?.paymentIntent },
    });
    const report = await fixture.store.verify([{ idempotencyKey: run.key, orderId }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('answers 201 paid when the primary charged but answered after the timeout, because the lookup finds the intent', async () => {
    // Committed after 5 ms, answered (first time and every replay) after 450 ms: every attempt times out.
    fixture.primary.setBehaviour({ responseDelayMs: 450 });
    const run = await checkoutFresh(fixture.store, await fixture.nextProduct());

    expect(run.response.status).toBe(201);
    const { orderId, status, payment } = orderOf(run);
    expect(status).toBe('paid');
    const charges = chargesFor([fixture.primary, fixture.backup], orderId);
    expect(charges).toHaveLength(1);
    expect(payment).toEqual({ provider: 'primary', intentId: charges[0]?.paymentIntent });
    expect(intentsFor(fixture.primary, orderId)).toHaveLength(1);
    expect(intentsFor(fixture.backup, orderId)).toEqual([]);
    const attempts = await journal(orderId);
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ provider: 'primary', status: 'unknown' });
      expect(attempt.error).toMatch(timedOut);
    }
    const report = await fixture.store.verify([{ idempotencyKey: run.key, orderId }]);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('never sends a timed-out payment to the backup, before or after reconciliation', async () => {
    const backupCreates = fixture.backup.stats().creates;
    const backupAttempts = await metricValue(fixture.store, 'payment_attempts_total', {
      provider: 'backup',
      outcome: 'succeeded',
    });
    fixture.primary.setBehaviour({ processingMs: 700 });
    const run = await checkoutFresh(fixture.store, await fixture.nextProduct());

    expect(run.response.status).toBe(202);
    const { orderId } = orderOf(run);
    expect(fixture.backup.stats().creates).toBe(backupCreates);
    expect(intentsFor(fixture.backup, orderId)).toEqual([]);
    expect((await journal(orderId)).map((a) => a.provider)).not.toContain('backup');

    await waitUntil(
      'the primary to commit the charge',
      () => chargesFor([fixture.primary], orderId).length === 1,
    );
    expect(await fixture.store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 1, unresolved: 0 });
    expect(chargesFor([fixture.backup], orderId)).toEqual([]);
    expect(fixture.backup.stats().creates).toBe(backupCreates);
    expect(
      await metricValue(fixture.store, 'payment_attempts_total', {
        provider: 'backup',
        outcome: 'succeeded',
      }),
    ).toBe(backupAttempts);
    expect((await storedOrder(fixture.store, orderId)).payment?.provider).toBe('primary');
    expect((await fixture.store.verify([{ idempotencyKey: run.key, orderId }])).ok).toBe(true);
  });

  it('never fails over after a 500 from the primary, and reconciliation, finding no charge anywhere, fails the order and gives its stock back', async () => {
    const productId = await fixture.nextProduct();
    const backupCreates = fixture.backup.stats().creates;
    fixture.primary.setBehaviour({ failNext: { count: 100, status: 500 } });
    const run = await checkoutFresh(fixture.store, productId, { stock: 10 });

    expect(run.response.status).toBe(202);
    const { orderId } = orderOf(run);
    expect(await stockOf(fixture.store, productId)).toBe(9);
    expect(fixture.backup.stats().creates).toBe(backupCreates);

    expect(await fixture.store.reconcile({ graceMs: 0 })).toMatchObject({
      paid: 0,
      failed: 1,
      unresolved: 0,
    });
    expect(await storedOrder(fixture.store, orderId)).toMatchObject({
      status: 'payment_failed',
      failureReason: 'not_found_at_vendor',
    });
    expect(await stockOf(fixture.store, productId)).toBe(10);
    expect(chargesFor([fixture.primary, fixture.backup], orderId)).toEqual([]);
    expect((await fixture.store.verify()).ok).toBe(true);
  });

  it('keeps the vendors’ secret keys and the payment tokens out of the logs', async () => {
    fixture.primary.setBehaviour({ failNext: { count: 100, status: 500 } });
    const run = await checkoutFresh(fixture.store, await fixture.nextProduct());
    expect(run.response.status).toBe(202);
    await fixture.store.reconcile({ graceMs: 0 });

    expect(fixture.store.logs()).toContain('payment outcome unknown');
    expectNoSecretsInLogs(fixture.store);
  });
});
