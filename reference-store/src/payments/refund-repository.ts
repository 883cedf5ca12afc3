import type pg from 'pg';
import type { OrderStatus } from '../checkout/order-repository.js';
import type { LateChargeBook, RecordedRefund } from './late-charges.js';

/** The late-charge sweep's view of the database: order statuses, and refunds recorded once. */
export class RefundRepository implements LateChargeBook {
  constructor(private readonly pool: pg.Pool) {}

  async orderStatuses(orderIds: readonly string[]): Promise<Map<string, OrderStatus>> {
    if (orderIds.length === 0) return new Map();
    const result = await this.pool.query<{ id: string; status: OrderStatus }>({
      name: 'refund-order-statuses',
      text: 'select id, status from orders where id = any($1::text[])',
      values: [orderIds],
    });
    return new Map(result.rows.map((r) => [r.id, r.status]));
  }

  async recordedIntents(provider: string, intentIds: readonly string[]): Promise<Set<string>> {
    if (intentIds.length === 0) return new Set();
    const result = await this.pool.query<{ intent_id: string }>({
      name: 'refund-recorded-intents',
      text: 'select intent_id from refunds where provider = $1 and intent_id = any($2::text[])',
      values: [provider, intentIds],
    });
    return new Set(result.rows.map((r) => r.intent_id));
  }

  /** False when the intent's refund was already recorded (by this process or another). */
  async record(refund: RecordedRefund): Promise<boolean> {
    const result = await this.pool.query({
      name: 'refund-record',
      text: `insert into refunds (provider, intent_id, refund_id, charge_id, order_id, amount_cents)
             values ($1, $2, $3, $4, $5, $6) on conflict (provider, intent_id) do nothing`,
      values: [
        refund.provider,
        refund.intentId,
        refund.refundId,
        refund.chargeId,
        refund.orderId,
        refund.amountCents,
      ],
    });
    return result.rowCount === 1;
  }
}
