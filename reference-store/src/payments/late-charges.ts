import type { Logger } from '../../../src/core/logger.js';
import type { OrderStatus } from '../checkout/order-repository.js';
import {
  VendorError,
  type VendorCharge,
  type VendorClient,
  type VendorLedgerEntry,
} from './vendor-client.js';

export interface RecordedRefund {
  readonly provider: string;
  readonly intentId: string;
  readonly refundId: string;
  readonly chargeId: string;
  readonly orderId: string;
  readonly amountCents: number;
}

/** What the sweep needs of the database (reference-store/src/payments/refund-repository.ts). */
export interface LateChargeBook {
  orderStatuses(orderIds: readonly string[]): Promise<Map<string, OrderStatus>>;
  recordedIntents(provider: string, intentIds: readonly string[]): Promise<Set<string>>;
  record(refund: RecordedRefund): Promise<boolean>;
}

export interface LateChargeSweeper {
  /** Reads what each vendor's ledger gained since the last sweep; returns the refunds it issued. */
  sweep(): Promise<number>;
}

export interface LateChargeOptions {
  /** Bound on reading one vendor's new ledger entries, and on one refund; default 3000 ms. */
  readonly timeoutMs?: number;
}

/** Per vendor: where the last read ended, and charges whose order was still open then. */
interface Watch {
  readonly vendor: VendorClient;
  cursor: string | undefined;
  readonly open: Map<string, VendorCharge & { orderId: string }>;
}

type RefundAttempt = 'refunded' | 'done' | 'retry';

/**
 * A charge can land after its order was failed: a request that reached the vendor only after every
 * lookup (held in the network, or by a fault proxy) found nothing. Nobody asks about a failed order
 * again, so the sweep reads each vendor's ledger from where it last stopped and refunds, through the
 * vendor, every charge whose order is `payment_failed`. A charge whose order is still open is kept
 * and looked at again next time: the reconciler pays that order, or fails it and then this refunds.
 * Refunds use one idempotency key per intent, and are recorded once per intent: never twice.
 */
export function createLateChargeSweeper(
  vendors: readonly VendorClient[],
  book: LateChargeBook,
  logger: Logger,
  options: LateChargeOptions = {},
): LateChargeSweeper {
  const timeoutMs = options.timeoutMs ?? 3000;
  const watches: Watch[] = vendors.map((vendor) => ({ vendor, cursor: undefined, open: new Map() }));
  const run = async (): Promise<number> => {
    let refunded = 0;
    for (const watch of watches) refunded += await sweepVendor(watch, book, logger, timeoutMs);
    return refunded;
  };
  // One sweep at a time (the background timer and /admin/reconcile may ask together): each reads
  // from where the one before stopped.
  let last: Promise<unknown> = Promise.resolve();
  return {
    sweep() {
      const next = last.then(run, run);
      last = next.catch(() => undefined);
      return next;
    },
  };
}

async function sweepVendor(
  watch: Watch,
  book: LateChargeBook,
  logger: Logger,
  timeoutMs: number,
): Promise<number> {
  const provider = watch.vendor.name;
  let entries: VendorLedgerEntry[];
  try {
    entries = await readNewEntries(watch, AbortSignal.timeout(timeoutMs));
  } catch (error) {
    logger.debug('late-charge sweep could not read a ledger', { vendor: provider, error: String(error) });
    return 0;
  }
  for (const entry of entries) {
    if (entry.kind === 'refund') watch.open.delete(entry.charge);
    else if (entry.captured && entry.orderId !== null)
      watch.open.set(entry.id, { ...entry, orderId: entry.orderId });
  }
  watch.cursor = entries.at(-1)?.id ?? watch.cursor;
  const candidates = [...watch.open.values()];
  if (candidates.length === 0) return 0;
  const statuses = await book.orderStatuses([...new Set(candidates.map((c) => c.orderId))]);
  const recorded = await book.recordedIntents(
    provider,
    candidates.map((c) => c.paymentIntent),
  );
  let refunded = 0;
  for (const charge of candidates) {
    const status = statuses.get(charge.orderId);
    if (status === 'pending' || status === 'payment_unknown') continue;
    watch.open.delete(charge.id);
    // Paid: the charge is the order's. Unknown to this database: not this store's order to refund.
    if (status !== 'payment_failed' || recorded.has(charge.paymentIntent)) continue;
    const attempt = await refundCharge(watch.vendor, charge, book, logger, timeoutMs);
    if (attempt === 'refunded') refunded++;
    if (attempt === 'retry') watch.open.set(charge.id, charge);
  }
  return refunded;
}

async function readNewEntries(watch: Watch, signal: AbortSignal): Promise<VendorLedgerEntry[]> {
  try {
    return await watch.vendor.listLedger(signal, watch.cursor);
  } catch (error) {
    // The vendor no longer knows the cursor (a restarted simulator keeps a new ledger): start over.
    if (watch.cursor !== undefined && error instanceof VendorError && error.code === 'resource_missing') {
      watch.cursor = undefined;
      watch.open.clear();
      return watch.vendor.listLedger(signal);
    }
    throw error;
  }
}

async function refundCharge(
  vendor: VendorClient,
  charge: VendorCharge & { orderId: string },
  book: LateChargeBook,
  logger: Logger,
  timeoutMs: number,
): Promise<RefundAttempt> {
  let refund;
  try {
    refund = await vendor.refund(
      {
        idempotencyKey: `refund-${charge.paymentIntent}`,
        intentId: charge.paymentIntent,
        orderId: charge.orderId,
      },
      AbortSignal.timeout(timeoutMs),
    );
  } catch (error) {
    // Refunded under another key (by hand, at the vendor): the ledger shows it; nothing to record here.
    if (error instanceof VendorError && error.code === 'charge_already_refunded') return 'done';
    logger.warn('refund of a late charge failed; retried at the next reconciliation', {
      order: charge.orderId,
      vendor: vendor.name,
      error: error instanceof Error ? error.message : String(error),
    });
    return 'retry';
  }
  // The vendor replays this refund for the same key, so a crash before this line costs nothing.
  const recorded = await book.record({
    provider: vendor.name,
    intentId: charge.paymentIntent,
    refundId: refund.id,
    chargeId: refund.charge,
    orderId: charge.orderId,
    amountCents: refund.amount,
  });
  if (!recorded) return 'done';
  logger.warn('refunded a charge that arrived after its order had failed', {
    order: charge.orderId,
    vendor: vendor.name,
    intent: charge.paymentIntent,
    refund: refund.id,
  });
  return 'refunded';
}
