import type { Clock } from '../../src/core/clock.js';

export type PaymentIntentStatus = 'succeeded' | 'requires_payment_method';

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
  /** Unix seconds. */
  readonly created: number;
}

export interface IntentRequest {
  readonly amount: number;
  readonly currency: string;
  readonly paymentToken: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ChargePage {
  readonly object: 'list';
  readonly data: readonly Charge[];
  readonly hasMore: boolean;
}

/** The one token that the simulated card network declines, after Stripe's `tok_chargeDeclined`. */
export const declinedToken = 'tok_chargeDeclined';

/** Intents and the charge ledger of one vendor, in creation order. */
export interface PaymentBook {
  /** Confirms and captures at once; a declined token leaves an intent without a charge. */
  confirm(request: IntentRequest): PaymentIntent;
  intent(id: string): PaymentIntent | undefined;
  intentsForOrder(orderId: string): readonly PaymentIntent[];
  /** `undefined` when `startingAfter` names no charge. */
  chargesAfter(startingAfter: string | undefined, limit: number): ChargePage | undefined;
  intents(): readonly PaymentIntent[];
  ledger(): readonly Charge[];
}

export function createPaymentBook(clock: Clock, idPrefix: string): PaymentBook {
  const intents: PaymentIntent[] = [];
  const intentsById = new Map<string, PaymentIntent>();
  const charges: Charge[] = [];
  const chargeIndex = new Map<string, number>();
  const nextId = (kind: 'pi' | 'ch', count: number): string =>
    `${kind}_${idPrefix}_${String(count + 1).padStart(6, '0')}`;

  return {
    confirm(request) {
      const created = Math.floor(clock.now() / 1000);
      const id = nextId('pi', intents.length);
      const declined = request.paymentToken === declinedToken;
      const charge: Charge | undefined = declined
        ? undefined
        : Object.freeze({
            id: nextId('ch', charges.length),
            object: 'charge',
            paymentIntent: id,
            amount: request.amount,
            currency: request.currency,
            orderId: request.metadata['orderId'] ?? null,
            captured: true,
            created,
          });
      const intent: PaymentIntent = Object.freeze({
        id,
        object: 'payment_intent',
        status: declined ? 'requires_payment_method' : 'succeeded',
        amount: request.amount,
        currency: request.currency,
        metadata: Object.freeze({ ...request.metadata }),
        latestCharge: charge?.id ?? null,
        created,
      });
      intents.push(intent);
      intentsById.set(id, intent);
      if (charge !== undefined) {
        chargeIndex.set(charge.id, charges.length);
        charges.push(charge);
      }
      return intent;
    },
    intent: (id) => intentsById.get(id),
    intentsForOrder: (orderId) => intents.filter((intent) => intent.metadata['orderId'] === orderId),
    chargesAfter(startingAfter, limit) {
      const start = startingAfter === undefined ? 0 : chargeIndex.get(startingAfter);
      if (start === undefined) return undefined;
      const from = startingAfter === undefined ? 0 : start + 1;
      return {
        object: 'list',
        data: charges.slice(from, from + limit),
        hasMore: from + limit < charges.length,
      };
    },
    intents: () => [...intents],
    ledger: () => [...charges],
  };
}
