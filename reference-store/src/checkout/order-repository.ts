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
        // The cart with its stock rows locked in product order, so concurrent checkouts of overlapping
        // carts queue instead of deadlocking, and the stock read here stays true until commit.
        const cart = await client.query<{
          product_id: string;
          quantity: number;
          price_cents: number;
          stock: number;
        }>({
          name: 'order-cart-lock',
          text: `select c.product_id, c.quantity, p.price_cents, i.stock from cart_items c
                 join products p on p.id = c.product_id join inventory i on i.product_id = c.product_id
                 where c.cart_key = $1 order by c.product_id for update of i`,
          values: [order.cartKey],
        });
        if (cart.rows.length === 0) return { result: { kind: 'empty-cart' }, commit: false };
        const short = cart.rows.filter((r) => r.stock < r.quantity).map((r) => r.product_id);
        if (short.length > 0) return { result: { kind: 'out-of-stock', productIds: short }, commit: false };
        const total = cart.rows.reduce((sum, r) => sum + r.quantity * r.price_cents, 0);
        const row = await client.query<OrderRow>({
          name: 'order-reserve',
          text: `with reserved as (
                   update inventory i set stock = i.stock - w.quantity
                   from unnest($2::text[], $3::int[]) as w(product_id, quantity)
                   where i.product_id = w.product_id returning i.product_id
                 ), items as (
                   insert into order_items (order_id, product_id, quantity, unit_price_cents)
                   select $1, * from unnest($2::text[], $3::int[], $4::int[]) returning 1
                 )
                 update orders set total_cents = $5 where id = $1 returning ${orderColumns}`,
          values: [
            id,
            cart.rows.map((r) => r.product_id),
            cart.rows.map((r) => r.quantity),
            cart.rows.map((r) => r.price_cents),
            total,
          ],
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

  /**
   * Paid, with its outbox row, the cart lines it bought removed and the attempts recorded: one
   * statement (data-modifying CTEs are atomic), so one round trip. Undefined when the order was no
   * longer in a `from` status (someone else settled it).
   */
  async markPaid(
    order: Pick<OrderRecord, 'id' | 'items'>,
    payment: { provider: string; intentId: string },
    attempts: readonly PaymentAttempt[],
    from: readonly OrderStatus[] = ['pending'],
  ): Promise<OrderRecord | undefined> {
    const result = await withSpan('db.mark_paid', {}, () =>
      this.pool.query<OrderRow>({
        name: 'order-mark-paid',
        text: `with paid as (
                 update orders set status = 'paid', payment_provider = $2, payment_intent_id = $3,
                   failure_reason = null, updated_at = now()
                 where id = $1 and status = any($4::text[]) returning ${orderColumns}
               ), event as (
                 insert into outbox (aggregate_id, event_type, payload)
                 select id, 'order.paid', json_build_object('orderId', id, 'totalCents', total_cents,
                   'currency', currency, 'provider', payment_provider) from paid
                 on conflict (aggregate_id, event_type) do nothing returning 1
               ), cleared as (
                 delete from cart_items c using paid
                 where c.cart_key = paid.cart_key
                   and c.product_id in (select product_id from order_items where order_id = paid.id)
                 returning 1
               ), ${attemptsCte('paid')}
               select * from paid`,
        values: [order.id, payment.provider, payment.intentId, from, ...attemptColumns(attempts)],
      }),
    );
    const row = result.rows[0];
    return row ? toOrder(row, order.items) : undefined;
  }

  /** Failed, with its stock given back and the attempts recorded, once; one statement. */
  async markFailed(
    order: Pick<OrderRecord, 'id' | 'items'>,
    reason: string,
    attempts: readonly PaymentAttempt[],
    from: readonly OrderStatus[] = ['pending'],
  ): Promise<OrderRecord | undefined> {
    const result = await withSpan('db.mark_failed', {}, () =>
      this.pool.query<OrderRow>({
        name: 'order-mark-failed',
        text: `with failed as (
                 update orders set status = 'payment_failed', failure_reason = $2, updated_at = now()
                 where id = $1 and status = any($3::text[]) returning ${orderColumns}
               ), released as (
                 update inventory i set stock = i.stock + oi.quantity from order_items oi, failed
                 where oi.order_id = failed.id and i.product_id = oi.product_id returning 1
               ), ${attemptsCte('failed', 4)}
               select * from failed`,
        values: [order.id, reason, from, ...attemptColumns(attempts)],
      }),
    );
    const row = result.rows[0];
    return row ? toOrder(row, order.items) : undefined;
  }

  async markUnknown(
    order: Pick<OrderRecord, 'id' | 'items'>,
    provider: string,
    reason: string,
    attempts: readonly PaymentAttempt[],
  ): Promise<OrderRecord | undefined> {
    const result = await this.pool.query<OrderRow>({
      name: 'order-mark-unknown',
      text: `with open as (
               update orders set status = 'payment_unknown', payment_provider = $2, failure_reason = $3,
                 updated_at = now()
               where id = $1 and status = 'pending' returning ${orderColumns}
             ), ${attemptsCte('open', 4)}
             select * from open`,
      values: [order.id, provider, reason, ...attemptColumns(attempts)],
    });
    const row = result.rows[0];
    return row ? toOrder(row, order.items) : undefined;
  }

  /**
   * No vendor charged and none will: the order is removed with its items and the stock goes back,
   * so the same idempotency key can be tried again later. A 503 is not an acknowledgement.
   */
  async abandon(orderId: string, reason = 'payment_unavailable'): Promise<void> {
    await this.transaction(async (client) => {
      const status = await client.query({
        name: 'order-lock-pending',
        text: "select id from orders where id = $1 and status = 'pending' for update",
        values: [orderId],
      });
      if (status.rowCount === 0) return { result: undefined, commit: false };
      await this.releaseStock(client, orderId);
      await client.query({
        name: 'order-record-abandoned',
        text: `insert into abandoned_checkouts (order_id, segment, total_cents, currency, reason, created_at)
               select id, segment, total_cents, currency, $2, created_at from orders where id = $1
               on conflict (order_id) do nothing`,
        values: [orderId, reason],
      });
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

/**
 * The payment attempts of a settle, inserted by the same statement; `$first` onwards carry the five
 * columns as arrays. Inserted only when the settle applied (the CTE named `settled` returned a row).
 */
function attemptsCte(settled: string, first = 5): string {
  const p = (i: number): string => `$${first + i}`;
  return `attempts as (
    insert into payments (order_id, provider, attempt, status, intent_id, error)
    select s.id, a.* from ${settled} s,
      unnest(${p(0)}::text[], ${p(1)}::int[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[])
        as a(provider, attempt, status, intent_id, error)
    returning 1
  )`;
}

function attemptColumns(attempts: readonly PaymentAttempt[]): unknown[] {
  return [
    attempts.map((a) => a.provider),
    attempts.map((_, i) => i + 1),
    attempts.map((a) => paymentStatus(a.outcome)),
    attempts.map((a) => a.intentId ?? null),
    attempts.map((a) => a.error ?? null),
  ];
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
