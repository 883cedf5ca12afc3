import type { Logger } from '../../../src/core/logger.js';
import type { OrderRepository } from '../checkout/order-repository.js';
import type { StoreMetrics } from '../metrics.js';
import type { LateChargeSweeper } from './late-charges.js';
import type { VendorClient } from './vendor-client.js';

export interface ReconcileReport {
  readonly examined: number;
  readonly paid: number;
  readonly failed: number;
  /** Left open: a vendor could not be asked, or is still processing the payment. */
  readonly unresolved: number;
  /** Charges that arrived after their order had failed, refunded through their vendor. */
  readonly refunded: number;
}

export interface ReconcilerOptions {
  /** Orders untouched for less than this are left alone (their checkout may still be running); default 30 s. */
  readonly graceMs?: number;
  readonly isInFlight: (idempotencyKey: string) => boolean;
  /** Bound on each vendor lookup; default 2000 ms. */
  readonly lookupTimeoutMs?: number;
  /** Refunds charges that landed on failed orders, after the open orders are settled. */
  readonly lateCharges?: LateChargeSweeper;
}

/**
 * Settles orders whose payment outcome is open (a timeout, or a charge the database never heard of)
 * by looking the intent up at every vendor, never by charging again. Found and succeeded: paid.
 * Every vendor answered and none has it, not even as `processing`: failed, stock released.
 * Otherwise (a vendor unanswered, or still working on it): ask again next time. A charge that lands
 * after all (the request reached the vendor only after the lookups) is refunded by `lateCharges`.
 */
export async function reconcilePayments(
  orders: OrderRepository,
  vendors: readonly VendorClient[],
  metrics: StoreMetrics,
  logger: Logger,
  options: ReconcilerOptions,
): Promise<ReconcileReport> {
  const open = await orders.unresolved(options.graceMs ?? 30_000);
  let paid = 0;
  let failed = 0;
  let unresolved = 0;
  for (const order of open) {
    if (options.isInFlight(order.idempotencyKey)) continue;
    let answered = 0;
    let processing = false;
    let found: { provider: string; intentId: string } | undefined;
    for (const vendor of vendors) {
      try {
        const intents = await vendor.findIntentsByOrder(
          order.id,
          AbortSignal.timeout(options.lookupTimeoutMs ?? 2000),
        );
        answered++;
        const succeeded = intents.find((intent) => intent.status === 'succeeded');
        if (succeeded) {
          found = { provider: vendor.name, intentId: succeeded.id };
          break;
        }
        // Its charge may still commit: failing the order now would leave a charge without it.
        if (intents.some((intent) => intent.status === 'processing')) processing = true;
      } catch (error) {
        logger.debug('reconciliation lookup failed', {
          order: order.id,
          vendor: vendor.name,
          error: String(error),
        });
      }
    }
    if (found) {
      if (await orders.markPaid(order, found, [], ['pending', 'payment_unknown'])) paid++;
      metrics.reconciliations.inc({ outcome: 'paid' });
    } else if (answered === vendors.length && !processing) {
      if (await orders.markFailed(order, 'not_found_at_vendor', [], ['pending', 'payment_unknown'])) failed++;
      metrics.reconciliations.inc({ outcome: 'failed' });
    } else {
      unresolved++;
      metrics.reconciliations.inc({ outcome: 'unresolved' });
    }
  }
  const refunded = (await options.lateCharges?.sweep()) ?? 0;
  if (refunded > 0) metrics.reconciliations.inc({ outcome: 'refunded' }, refunded);
  return { examined: open.length, paid, failed, unresolved, refunded };
}
