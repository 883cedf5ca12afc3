import type { Hono } from 'hono';
import { systemClock } from '../../src/core/clock.js';
import type { Clock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/logger.js';
import type { Logger } from '../../src/core/logger.js';
import { listenApp, type ListeningServer } from '../src/http/listen.js';
import { createIdempotencyKeys } from './idempotency-keys.js';
import type { Charge, PaymentIntent, Refund } from './payment-intents.js';
import { createPaymentBook } from './payment-intents.js';
import type { CreateResponse, RefundResponse } from './payment-vendor-app.js';
import { createPaymentVendorApp } from './payment-vendor-app.js';
import { createBehaviourState } from './vendor-behaviour.js';
import type { VendorBehaviour } from './vendor-behaviour.js';

export type { Charge, LedgerEntry, PaymentIntent, Refund } from './payment-intents.js';
export type { VendorBehaviour } from './vendor-behaviour.js';

export interface PaymentVendorOptions {
  /** Shown by `/healthz` and, unless `idPrefix` is set, part of every id. */
  readonly name: string;
  /** The only accepted `Authorization: Bearer` value; never logged nor echoed. */
  readonly secretKey: string;
  /** Time between receiving a create and committing its charge; default 5. */
  readonly processingMs?: number;
  /** Stamps `created`; default the system clock. */
  readonly clock?: Clock;
  /** Middle part of ids (`pi_<idPrefix>_000001`); default `name`. */
  readonly idPrefix?: string;
  /** Receives unexpected errors; default a logger on stderr. */
  readonly logger?: Pick<Logger, 'error'>;
}

export type ListeningVendor = ListeningServer;

export interface PaymentVendorStats {
  /** Create requests received into a new intent, declines and those still processing included. */
  readonly creates: number;
  /** Create requests answered from a saved idempotent response. */
  readonly replays: number;
  readonly charges: number;
}

export interface PaymentVendor {
  readonly app: Hono;
  listen(port?: number, host?: string): Promise<ListeningVendor>;
  /** Fields left out keep their current value. */
  setBehaviour(behaviour: VendorBehaviour): void;
  /** Charges, each with what was refunded of it. */
  ledger(): readonly Charge[];
  refunds(): readonly Refund[];
  intents(): readonly PaymentIntent[];
  stats(): PaymentVendorStats;
}

export function createPaymentVendor(options: PaymentVendorOptions): PaymentVendor {
  const clock = options.clock ?? systemClock;
  const idPrefix = options.idPrefix ?? options.name;
  if (!/^[A-Za-z0-9_]+$/.test(idPrefix)) {
    throw new RangeError(`payment vendor id prefix must match [A-Za-z0-9_]+, got "${idPrefix}"`);
  }
  const book = createPaymentBook(clock, idPrefix);
  const keys = createIdempotencyKeys<CreateResponse>();
  const behaviour = createBehaviourState(options.processingMs ?? 5);
  const logger = options.logger ?? createLogger({ sink: process.stderr, clock });
  const app = createPaymentVendorApp({
    name: options.name,
    secretKey: options.secretKey,
    book,
    keys,
    refundKeys: createIdempotencyKeys<RefundResponse>(),
    behaviour,
    logger,
  });

  return {
    app,
    listen: (port = 0, host = '127.0.0.1') => listenApp(app, port, host),
    setBehaviour: (next) => behaviour.set(next),
    ledger: () => book.ledger(),
    refunds: () => book.refunds(),
    intents: () => book.intents(),
    stats: () => ({ creates: book.intents().length, replays: keys.replays(), charges: book.ledger().length }),
  };
}
