import type { Clock } from '../../src/core/clock.js';

/** As Stripe's: `processing` from receipt until the charge is committed or declined. */
export type PaymentIntentStatus = 'processing' | 'succeeded' | 'requires_payment_method';

export interface PaymentIntent {
  readonly id: string;
  readonly object: 'payment_intent';
  readonly status: PaymentIntentStatus;
  /** Minor units (cents). */
  readonly amount: number;
  readonly currency: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly latestCharge: string | null;
  /** Unix seconds. */
  readonly created: number;
}

export interface Charge {
  readonly id: string;
  readonly object: 'charge';
  readonly paymentIntent: string;
  readonly amount: number;
  readonly currency: string;
  readonly orderId: string | null;
  readonly captured: true;
  /** Minor units given back so far; `refunded` once it is the whole amount. */
  readonly amountRefunded: number;
  readonly refunded: boolean;
  /** Unix seconds. */
  readonly created: number;
}

export interface Refund {
  readonly id: string;
  readonly object: 'refund';
  readonly charge: string;
  readonly paymentIntent: string;
  readonly amount: number;
  readonly currency: string;
  readonly orderId: string | null;
  readonly reason: RefundReason;
  readonly status: 'succeeded';
  readonly metadata: Readonly<Record<string, string>>;
  /** Unix seconds. */
  readonly created: number;
}

/** Stripe's refund reasons. */
export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface IntentRequest {
  readonly amount: number;
  readonly currency: string;
  readonly paymentToken: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface RefundRequest {
  readonly paymentIntent: string;
  readonly reason: RefundReason;
  readonly metadata: Readonly<Record<string, string>>;
}

/** An entry of the ledger: what moved money, in the order it happened. */
export type LedgerEntry = Charge | Refund;

export interface Page<T> {
  readonly object: 'list';
  readonly data: readonly T[];
  readonly hasMore: boolean;
}

export type RefundResult =
  | { readonly kind: 'refunded'; readonly refund: Refund }
  | { readonly kind: 'no-such-intent' }
  /** Declined or still processing: nothing was captured. */
  | { readonly kind: 'not-captured'; readonly status: PaymentIntentStatus }
  | { readonly kind: 'already-refunded' };

/** The one token that the simulated card network declines, after Stripe's `tok_chargeDeclined`. */
export const declinedToken = 'tok_chargeDeclined';

/** Intents, charges and refunds of one vendor, in creation order. */
export interface PaymentBook {
  /** Records the intent as `processing`: from now on a lookup sees it. */
  receive(request: IntentRequest): PaymentIntent;
  /** Confirms and captures a received intent at once; a declined token leaves it without a charge. */
  confirm(intentId: string, request: IntentRequest): PaymentIntent;
  /** Refunds the whole charge of an intent, once. */
  refund(request: RefundRequest): RefundResult;
  intent(id: string): PaymentIntent | undefined;
  intentsForOrder(orderId: string): readonly PaymentIntent[];
  /** `undefined` when `startingAfter` names no charge. */
  chargesAfter(startingAfter: string | undefined, limit: number): Page<Charge> | undefined;
  /** Charges and refunds; `undefined` when `startingAfter` names no entry. */
  entriesAfter(startingAfter: string | undefined, limit: number): Page<LedgerEntry> | undefined;
  intents(): readonly PaymentIntent[];
  ledger(): readonly Charge[];
  refunds(): readonly Refund[];
}

/** Entries after `startingAfter` in `ids`; `undefined` when it names none of them. */
function pageAfter<T>(
  ids: readonly string[],
  index: ReadonlyMap<string, number>,
  startingAfter: string | undefined,
  limit: number,
  read: (id: string) => T,
): Page<T> | undefined {
  const at = startingAfter === undefined ? -1 : index.get(startingAfter);
  if (at === undefined) return undefined;
  const from = at + 1;
  return {
    object: 'list',
    data: ids.slice(from, from + limit).map(read),
    hasMore: from + limit < ids.length,
  };
}

export function createPaymentBook(clock: Clock, idPrefix: string): PaymentBook {
  const intentsById = new Map<string, PaymentIntent>();
  const intentIds: string[] = [];
  const charges = new Map<string, Charge>();
  const chargeIds: string[] = [];
  const chargeIndex = new Map<string, number>();
  const refunds = new Map<string, Refund>();
  const refundsByIntent = new Map<string, Refund>();
  const entryIds: string[] = [];
  const entryIndex = new Map<string, number>();
  const nextId = (kind: 'pi' | 'ch' | 're', count: number): string =>
    `${kind}_${idPrefix}_${String(count + 1).padStart(6, '0')}`;
  const now = (): number => Math.floor(clock.now() / 1000);
  const addEntry = (id: string): void => {
    entryIndex.set(id, entryIds.length);
    entryIds.push(id);
  };
  const intentOf = (id: string): PaymentIntent => {
    const intent = intentsById.get(id);
    if (intent === undefined) throw new Error(`no payment intent ${id}`);
    return intent;
  };
  const chargeOf = (id: string): Charge => {
    const charge = charges.get(id);
    if (charge === undefined) throw new Error(`no charge ${id}`);
    return charge;
  };
  const entryOf = (id: string): LedgerEntry => refunds.get(id) ?? chargeOf(id);

  return {
    receive(request) {
      const id = nextId('pi', intentIds.length);
      const intent: PaymentIntent = Object.freeze({
        id,
        object: 'payment_intent',
        status: 'processing',
        amount: request.amount,
        currency: request.currency,
        metadata: Object.freeze({ ...request.metadata }),
        latestCharge: null,
        created: now(),
      });
      intentIds.push(id);
      intentsById.set(id, intent);
      return intent;
    },
    confirm(intentId, request) {
      const received = intentOf(intentId);
      if (received.status !== 'processing') return received;
      if (request.paymentToken === declinedToken) {
        const declined = Object.freeze({ ...received, status: 'requires_payment_method' as const });
        intentsById.set(intentId, declined);
        return declined;
      }
      const charge: Charge = Object.freeze({
        id: nextId('ch', chargeIds.length),
        object: 'charge',
        paymentIntent: intentId,
        amount: received.amount,
        currency: received.currency,
        orderId: received.metadata['orderId'] ?? null,
        captured: true,
        amountRefunded: 0,
        refunded: false,
        created: now(),
      });
      chargeIndex.set(charge.id, chargeIds.length);
      chargeIds.push(charge.id);
      charges.set(charge.id, charge);
      addEntry(charge.id);
      const succeeded = Object.freeze({ ...received, status: 'succeeded' as const, latestCharge: charge.id });
      intentsById.set(intentId, succeeded);
      return succeeded;
    },
    refund(request) {
      const intent = intentsById.get(request.paymentIntent);
      if (intent === undefined) return { kind: 'no-such-intent' };
      if (intent.latestCharge === null) return { kind: 'not-captured', status: intent.status };
      if (refundsByIntent.has(intent.id)) return { kind: 'already-refunded' };
      const charge = chargeOf(intent.latestCharge);
      const refund: Refund = Object.freeze({
        id: nextId('re', refunds.size),
        object: 'refund',
        charge: charge.id,
        paymentIntent: intent.id,
        amount: charge.amount,
        currency: charge.currency,
        orderId: charge.orderId,
        reason: request.reason,
        status: 'succeeded',
        metadata: Object.freeze({ ...request.metadata }),
        created: now(),
      });
      refunds.set(refund.id, refund);
      refundsByIntent.set(intent.id, refund);
      charges.set(charge.id, Object.freeze({ ...charge, amountRefunded: charge.amount, refunded: true }));
      addEntry(refund.id);
      return { kind: 'refunded', refund };
    },
    intent: (id) => intentsById.get(id),
    intentsForOrder: (orderId) =>
      intentIds.map(intentOf).filter((intent) => intent.metadata['orderId'] === orderId),
    chargesAfter: (startingAfter, limit) => pageAfter(chargeIds, chargeIndex, startingAfter, limit, chargeOf),
    entriesAfter: (startingAfter, limit) => pageAfter(entryIds, entryIndex, startingAfter, limit, entryOf),
    intents: () => intentIds.map(intentOf),
    ledger: () => chargeIds.map(chargeOf),
    refunds: () => [...refunds.values()],
  };
}
