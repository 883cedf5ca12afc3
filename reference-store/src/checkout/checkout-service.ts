import { createHash } from 'node:crypto';
import type { Logger } from '../../../src/core/logger.js';
import { databaseProblem } from '../http/database-problem.js';
import { Problem, unavailable } from '../http/problem.js';
import type { CheckoutOutcome, StoreMetrics } from '../metrics.js';
import type { PaymentAttempt, PaymentGateway, PaymentOutcome } from '../payments/payment-gateway.js';
import type { OrderRecord, OrderRepository } from './order-repository.js';
import { orderView, type OrderView } from './order-view.js';

export interface CheckoutRequest {
  readonly idempotencyKey: string;
  readonly cartKey: string;
  readonly segment: string;
  /** The vendor's token; hashed into the request identity, never stored. */
  readonly paymentToken: string;
}

export interface CheckoutResponse {
  /** 201 paid, 200 a replay of a paid order, 202 payment outcome pending, 402 declined. */
  readonly status: 200 | 201 | 202 | 402;
  readonly order: OrderView;
  readonly replayed: boolean;
}

export interface CheckoutOptions {
  /** How long a repeated request waits for the first one still in flight; default 10 s. */
  readonly replayWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Checkout as production does it: reserve stock and create the order in one short transaction, pay
 * outside it (the gateway retries, breaks circuits and fails over), then settle the order in a second
 * transaction. The idempotency key makes every step repeatable: the same key gives the same order and
 * at most one charge, even while the first request is still in flight.
 */
export class CheckoutService {
  /** Requests in flight in this process, by key: a repeat joins the first instead of polling. */
  private readonly inFlight = new Map<string, { requestHash: string; response: Promise<CheckoutResponse> }>();

  constructor(
    private readonly orders: OrderRepository,
    private readonly gateway: PaymentGateway,
    private readonly metrics: StoreMetrics,
    private readonly logger: Logger,
    private readonly options: CheckoutOptions = {},
  ) {}

  /** Keys of checkouts running now in this process; the reconciler leaves their orders alone. */
  isInFlight(idempotencyKey: string): boolean {
    return this.inFlight.has(idempotencyKey);
  }

  async checkout(request: CheckoutRequest): Promise<CheckoutResponse> {
    const requestHash = hashRequest(request);
    const running = this.inFlight.get(request.idempotencyKey);
    if (running) {
      if (running.requestHash !== requestHash) throw keyReused();
      const first = await running.response.catch(() => undefined);
      if (first)
        return this.count(request, {
          ...first,
          status: first.status === 201 ? 200 : first.status,
          replayed: true,
        });
    }
    const attempt = this.run(request, requestHash);
    this.inFlight.set(request.idempotencyKey, { requestHash, response: attempt });
    try {
      return this.count(request, await attempt);
    } catch (error) {
      this.metrics.checkoutOutcomes.inc({ segment: request.segment, outcome: failureOutcome(error) });
      throw error;
    } finally {
      this.inFlight.delete(request.idempotencyKey);
    }
  }

  private count(request: CheckoutRequest, response: CheckoutResponse): CheckoutResponse {
    this.metrics.checkoutOutcomes.inc({
      segment: request.segment,
      outcome: response.replayed ? 'replayed' : outcomeOf(response),
    });
    return response;
  }

  private async run(request: CheckoutRequest, requestHash: string): Promise<CheckoutResponse> {
    const reserved = await this.db(() =>
      this.orders.reserve({
        idempotencyKey: request.idempotencyKey,
        requestHash,
        cartKey: request.cartKey,
        segment: request.segment,
      }),
    );
    switch (reserved.kind) {
      case 'empty-cart':
        throw new Problem(422, 'empty-cart', 'the cart is empty: add items before checking out');
      case 'out-of-stock':
        throw new Problem(409, 'out-of-stock', 'not enough stock for some items', {
          productIds: reserved.productIds,
        });
      case 'exists':
        return this.replay(await this.settled(reserved.order), requestHash);
      case 'reserved':
        break;
    }
    const order = reserved.order;
    const attempts: PaymentAttempt[] = [];
    const outcome = await this.gateway.pay(
      {
        // One key per order at every vendor: retries at a vendor can never charge twice.
        idempotencyKey: order.id,
        amountCents: order.totalCents,
        currency: order.currency,
        paymentToken: request.paymentToken,
        orderId: order.id,
      },
      (a) => attempts.push(a),
    );
    return this.settle(order, outcome, attempts);
  }

  private async settle(
    order: OrderRecord,
    outcome: PaymentOutcome,
    attempts: readonly PaymentAttempt[],
  ): Promise<CheckoutResponse> {
    try {
      switch (outcome.status) {
        case 'paid': {
          const paid = await this.db(() => this.orders.markPaid(order, outcome, attempts));
          if (paid) return { status: 201, order: orderView(paid), replayed: false };
          return this.settledElsewhere(order);
        }
        case 'declined': {
          const failed = await this.db(() => this.orders.markFailed(order, 'declined', attempts));
          return {
            status: 402,
            order: orderView(failed ?? { ...order, status: 'payment_failed' }),
            replayed: false,
          };
        }
        case 'unknown': {
          this.logger.warn('payment outcome unknown; left for reconciliation', {
            order: order.id,
            provider: outcome.provider,
            reason: outcome.reason,
          });
          const open = await this.db(() =>
            this.orders.markUnknown(order, outcome.provider, outcome.reason, attempts),
          );
          return {
            status: 202,
            order: orderView(open ?? { ...order, status: 'payment_unknown' }),
            replayed: false,
          };
        }
        case 'unavailable':
          this.logger.warn('no payment vendor available; order abandoned', {
            order: order.id,
            reason: outcome.reason,
          });
          await this.db(() => this.orders.abandon(order.id));
          throw unavailable('no payment provider is available; nothing was charged, retry later', 5);
      }
    } catch (error) {
      if (error instanceof Problem || outcome.status !== 'paid') throw error;
      // Charged, but the database went away before the order was marked paid: it stays pending and
      // the reconciler finds the charge at the vendor. The shopper's order exists: acknowledge it.
      this.logger.warn('paid order could not be settled; left for reconciliation', { order: order.id });
      return { status: 202, order: orderView({ ...order, status: 'pending' }), replayed: false };
    }
  }

  /**
   * Charged, but another actor settled the order first: the reconciler of another store process
   * paid it, or failed it while this payment was on its way (its charge is then refunded by
   * reconciliation). The answer is what the database holds, never a paid order it does not have.
   */
  private async settledElsewhere(order: OrderRecord): Promise<CheckoutResponse> {
    const stored = (await this.db(() => this.orders.findById(order.id))) ?? order;
    if (stored.status === 'payment_failed') {
      this.logger.warn('charged after the order had failed; the charge is refunded by reconciliation', {
        order: order.id,
      });
    }
    return {
      status: stored.status === 'paid' ? 201 : statusOf(stored.status),
      order: orderView(stored),
      replayed: false,
    };
  }

  private replay(order: OrderRecord, requestHash: string): CheckoutResponse {
    if (order.requestHash !== requestHash) throw keyReused();
    return { status: statusOf(order.status), order: orderView(order), replayed: true };
  }

  /** Waits (bounded) for a first request in another process to settle the order. */
  private async settled(order: OrderRecord): Promise<OrderRecord> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const deadline = performance.now() + (this.options.replayWaitMs ?? 10_000);
    let current = order;
    while (current.status === 'pending' && performance.now() < deadline) {
      await sleep(50);
      current = (await this.db(() => this.orders.findByKey(order.idempotencyKey))) ?? current;
    }
    return current;
  }

  private async db<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw databaseProblem(error) ?? error;
    }
  }
}

function keyReused(): Problem {
  return new Problem(422, 'idempotency-key-reused', 'this Idempotency-Key was used for a different checkout');
}

function hashRequest(request: CheckoutRequest): string {
  return createHash('sha256').update(`${request.cartKey}\n${request.paymentToken}`).digest('base64url');
}

function statusOf(status: OrderView['status']): CheckoutResponse['status'] {
  if (status === 'paid') return 200;
  if (status === 'payment_failed') return 402;
  return 202;
}

function outcomeOf(response: CheckoutResponse): CheckoutOutcome {
  if (response.status === 402) return 'declined';
  if (response.status === 202) return 'payment_unknown';
  return 'paid';
}

function failureOutcome(error: unknown): CheckoutOutcome {
  if (error instanceof Problem) {
    if (error.code === 'out-of-stock') return 'out_of_stock';
    if (error.status === 503) return 'unavailable';
  }
  return 'rejected';
}
