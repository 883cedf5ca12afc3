import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PaymentAttempt } from '../payments/payment-gateway.js';
import { withSpan } from '../tracing.js';

export type OrderStatus = 'pending' | 'paid' | 'payment_failed' | 'payment_unknown';

export interface OrderRecord {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly cartKey: string;
  readonly segment: string;
  readonly status: OrderStatus;
  readonly failureReason: string | null;
  readonly totalCents: number;
  readonly currency: string;
  readonly paymentProvider: string | null;
  readonly paymentIntentId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly items: readonly { productId: string; quantity: number; unitPriceCents: number }[];
}

export interface NewOrder {
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly cartKey: string;
  readonly segment: string;
}

export type ReserveResult =
  | { readonly kind: 'reserved'; readonly order: OrderRecord }
  | { readonly kind: 'exists'; readonly order: OrderRecord }
  | { readonly kind: 'empty-cart' }
  | { readonly kind: 'out-of-stock'; readonly productIds: readonly string[] };

interface OrderRow {
  id: string;
  idempotency_key: string;
  request_hash: string;
  cart_key: string;
  segment: string;
  status: OrderStatus;
  failure_reason: string | null;
  total_cents: number;
  currency: string;
  payment_provider: string | null;
  payment_intent_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const orderColumns = `id, idempotency_key, request_hash, cart_key, segment, status, failure_reason, total_cents,
  currency, payment_provider, payment_intent_id, created_at, updated_at`;

/**
 * The order's life in SQL. Each state change is a conditional update on the current status, inside a
 * short transaction, so two actors (the checkout and the reconciler, or two store processes) can
 * never both apply it: stock is released once, an outbox row is written once.
 */
export class OrderRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Creates the order and reserves its stock in one transaction; nothing is written unless all of it is. */
  async reserve(order: NewOrder): Promise<ReserveResult> {
    return withSpan('db.reserve_order', {}, () =>
      this.transaction<ReserveResult>(async (client) => {
        const id = newOrderId();
        const inserted = await client.query({
          name: 'order-insert',
          text: `insert into orders (id, idempotency_key, request_hash, cart_key, segment, status, total_cents, currency)
                 values ($1, $2, $3, $4, $5, 'pending', 0, 'usd') on conflict (idempotency_key) do nothing`,
          values: [id, order.idempotencyKey, order.requestHash, order.cartKey, order.segment],
        });
        if (inserted.rowCount === 0) {
          const existing = await this.findByKeyWith(client, order.idempotencyKey);
          if (!existing) throw new Error('order vanished between insert and read');
          return { result: { kind: 'exists', order: existing }, commit: false };
        }
        const cart = await client.query<{ product_id: string; quantity: number; price_cents: number }>({
          name: 'order-cart',
          text: `select c.product_id, c.quantity, p.price_cents from cart_items c
                 join products p on p.id = c.product_id where c.cart_key = $1 order by c.product_id`,
          values: [order.cartKey],
        });
        if (cart.rows.length === 0) return { result: { kind: 'empty-cart' }, commit: false };
        const productIds = cart.rows.map((r) => r.product_id);
        const quantities = cart.rows.map((r) => r.quantity);
        // Row locks in product order, so concurrent checkouts of overlapping carts cannot deadlock.
        await client.query({
          name: 'order-lock-stock',
          text: 'select product_id from inventory where product_id = any($1::text[]) order by product_id for update',
          values: [productIds],
        });
        const reserved = await client.query<{ product_id: string }>({
          name: 'order-reserve-stock',
          text: `update inventory i set stock = i.stock - w.quantity
                 from unnest($1::text[], $2::int[]) as w(product_id, quantity)
                 where i.product_id = w.product_id and i.stock >= w.quantity returning i.product_id`,
          values: [productIds, quantities],
        });
        if (reserved.rows.length < productIds.length) {
          const got = new Set(reserved.rows.map((r) => r.product_id));
          return {
            result: { kind: 'out-of-stock', productIds: productIds.filter((p) => !got.has(p)) },
            commit: false,
          };
        }
        await client.query({
          name: 'order-items-insert',
          text: `insert into order_items (order_id, product_id, quantity, unit_price_cents)
                 select $1, * from unnest($2::text[], $3::int[], $4::int[])`,
          values: [id, productIds, quantities, cart.rows.map((r) => r.price_cents)],
        });
        const total = cart.rows.reduce((sum, r) => sum + r.quantity * r.price_cents, 0);
        const row = await client.query<OrderRow>({
          name: 'order-total',
          text: `update orders set total_cents = $2 where id = $1 returning ${orderColumns}`,
          values: [id, total],
        });
        const items = cart.rows.map((r) => ({
          productId: r.product_id,
          quantity: r.quantity,
          unitPriceCents: r.price_cents,
        }));
        return { result: { kind: 'reserved', order: toOrder(row.rows[0] as OrderRow, items) }, commit: true };
      }),
    );
  }

  async markPaid(
    orderId: string,
    payment: { provider: string; intentId: string },
    attempts: readonly PaymentAttempt[],
    from: readonly OrderStatus[] = ['pending'],
  ): Promise<boolean> {
    return withSpan('db.mark_paid', {}, () =>
      this.transaction(async (client) => {
        const updated = await client.query<OrderRow>({
          name: 'order-mark-paid',
          text: `update orders set status = 'paid', payment_provider = $2, payment_intent_id = $3, failure_reason = null,
                 updated_at = now() where id = $1 and status = any($4::text[]) returning ${orderColumns}`,
          values: [orderId, payment.provider, payment.intentId, from],
        });
        const row = updated.rows[0];
        if (!row) return { result: false, commit: false };
        await client.query({
          name: 'outbox-order-paid',
          text: `insert into outbox (aggregate_id, event_type, payload) values ($1, 'order.paid', $2)
                 on conflict (aggregate_id, event_type) do nothing`,
          values: [
            orderId,
            JSON.stringify({
              orderId,
              totalCents: row.total_cents,
              currency: row.currency,
              provider: payment.provider,
            }),
          ],
        });
        await client.query({
          name: 'order-clear-cart',
          text: 'delete from cart_items where cart_key = $1 and product_id in (select product_id from order_items where order_id = $2)',
          values: [row.cart_key, orderId],
        });
        await this.insertAttempts(client, orderId, attempts);
        return { result: true, commit: true };
      }),
    );
  }

  /** Marks the order failed and gives its stock back, once. */
  async markFailed(
    orderId: string,
    reason: string,
    attempts: readonly PaymentAttempt[],
    from: readonly OrderStatus[] = ['pending'],
  ): Promise<boolean> {
    return withSpan('db.mark_failed', {}, () =>
      this.transaction(async (client) => {
        const updated = await client.query({
          name: 'order-mark-failed',
          text: `update orders set status = 'payment_failed', failure_reason = $2, updated_at = now()
                 where id = $1 and status = any($3::text[])`,
          values: [orderId, reason, from],
        });
        if (updated.rowCount === 0) return { result: false, commit: false };
        await this.releaseStock(client, orderId);
        await this.insertAttempts(client, orderId, attempts);
        return { result: true, commit: true };
      }),
    );
  }

  async markUnknown(
    orderId: string,
    provider: string,
    reason: string,
    attempts: readonly PaymentAttempt[],
  ): Promise<void> {
    await this.transaction(async (client) => {
      await client.query({
        name: 'order-mark-unknown',
        text: `update orders set status = 'payment_unknown', payment_provider = $2, failure_reason = $3, updated_at = now()
               where id = $1 and status = 'pending'`,
        values: [orderId, provider, reason],
      });
      await this.insertAttempts(client, orderId, attempts);
      return { result: undefined, commit: true };
    });
  }

  /**
   * No vendor charged and none will: the order is removed with its items and the stock goes back,
   * so the same idempotency key can be tried again later. A 503 is not an acknowledgement.
   */
  async abandon(orderId: string): Promise<void> {
    await this.transaction(async (client) => {
      const status = await client.query({
        name: 'order-lock-pending',
        text: "select id from orders where id = $1 and status = 'pending' for update",
        values: [orderId],
      });
      if (status.rowCount === 0) return { result: undefined, commit: false };
      await this.releaseStock(client, orderId);
      await client.query({
        name: 'order-delete',
        text: 'delete from orders where id = $1',
        values: [orderId],
      });
      return { result: undefined, commit: true };
    });
  }

  async findById(orderId: string): Promise<OrderRecord | undefined> {
    const client = await this.pool.connect();
    try {
      const result = await client.query<OrderRow>({
        name: 'order-by-id',
        text: `select ${orderColumns} from orders where id = $1 and status <> 'archived'`,
        values: [orderId],
      });
      const row = result.rows[0];
      return row ? toOrder(row, await this.items(client, row.id)) : undefined;
    } finally {
      client.release();
    }
  }

  async findByKey(idempotencyKey: string): Promise<OrderRecord | undefined> {
    const client = await this.pool.connect();
    try {
      return await this.findByKeyWith(client, idempotencyKey);
    } finally {
      client.release();
    }
  }

  /** Orders whose payment outcome is open and that nobody has touched for `olderThanMs`. */
  async unresolved(olderThanMs: number, limit = 500): Promise<OrderRecord[]> {
    const result = await this.pool.query<OrderRow>({
      name: 'order-unresolved',
      text: `select ${orderColumns} from orders where status in ('payment_unknown', 'pending')
             and updated_at <= now() - make_interval(secs => $1::double precision / 1000) order by updated_at limit $2`,
      values: [olderThanMs, limit],
    });
    return result.rows.map((row) => toOrder(row, []));
  }

  private async findByKeyWith(client: pg.PoolClient, key: string): Promise<OrderRecord | undefined> {
    const result = await client.query<OrderRow>({
      name: 'order-by-key',
      text: `select ${orderColumns} from orders where idempotency_key = $1`,
      values: [key],
    });
    const row = result.rows[0];
    return row ? toOrder(row, await this.items(client, row.id)) : undefined;
  }

  private async items(client: pg.PoolClient, orderId: string): Promise<OrderRecord['items']> {
    const result = await client.query<{ product_id: string; quantity: number; unit_price_cents: number }>({
      name: 'order-items',
      text: 'select product_id, quantity, unit_price_cents from order_items where order_id = $1 order by product_id',
      values: [orderId],
    });
    return result.rows.map((r) => ({
      productId: r.product_id,
      quantity: r.quantity,
      unitPriceCents: r.unit_price_cents,
    }));
  }

  private async releaseStock(client: pg.PoolClient, orderId: string): Promise<void> {
    await client.query({
      name: 'order-release-stock',
      text: `update inventory i set stock = i.stock + oi.quantity from order_items oi
             where oi.order_id = $1 and i.product_id = oi.product_id`,
      values: [orderId],
    });
  }

  private async insertAttempts(
    client: pg.PoolClient,
    orderId: string,
    attempts: readonly PaymentAttempt[],
  ): Promise<void> {
    if (attempts.length === 0) return;
    await client.query({
      name: 'payments-insert',
      text: `insert into payments (order_id, provider, attempt, status, intent_id, error)
             select $1, * from unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[])`,
      values: [
        orderId,
        attempts.map((a) => a.provider),
        attempts.map((_, i) => i + 1),
        attempts.map((a) => paymentStatus(a.outcome)),
        attempts.map((a) => a.intentId ?? null),
        attempts.map((a) => a.error ?? null),
      ],
    });
  }

  private async transaction<T>(
    body: (client: pg.PoolClient) => Promise<{ result: T; commit: boolean }>,
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      const { result, commit } = await body(client);
      await client.query(commit ? 'commit' : 'rollback');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      // A connection that failed mid-transaction is not given back to the pool.
      client.release(broken);
    }
  }
}

/**
 * Random base64url: not guessable, and (unlike hex or a timestamp) practically never a run of 13+
 * digits, which card-data filters on the way to the vendor would take for a card number.
 */
function newOrderId(): string {
  return `ord_${randomBytes(15).toString('base64url')}`;
}

function paymentStatus(outcome: PaymentAttempt['outcome']): 'succeeded' | 'declined' | 'failed' | 'unknown' {
  if (outcome === 'succeeded') return 'succeeded';
  if (outcome === 'declined') return 'declined';
  if (outcome === 'timeout' || outcome === 'error') return 'unknown';
  return 'failed';
}

function toOrder(row: OrderRow, items: OrderRecord['items']): OrderRecord {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    cartKey: row.cart_key,
    segment: row.segment,
    status: row.status,
    failureReason: row.failure_reason,
    totalCents: row.total_cents,
    currency: row.currency,
    paymentProvider: row.payment_provider,
    paymentIntentId: row.payment_intent_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    items,
  };
}
