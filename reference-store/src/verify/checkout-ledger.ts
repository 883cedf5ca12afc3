import type pg from 'pg';

/** Checkouts of one segment in a span of time, as the store's own books hold them. */
export interface CheckoutLedgerSegment {
  readonly segment: string;
  /** Orders created in the span, plus checkouts abandoned in it (their order rows are gone). */
  readonly orders: number;
  /** Checkouts that failed for the store's reasons: abandoned (no vendor), or failed not as a decline. */
  readonly failed: number;
  readonly declined: number;
  /** Still pending or unknown when asked. */
  readonly pending: number;
  /** Sum of the failed checkouts' totals, in cents. */
  readonly failedValueMinor: number;
  readonly currency: string;
}

/**
 * What a game day's impact section reads: per segment, the checkouts that reached the database
 * between two times and how they ended, counted from `orders` and `abandoned_checkouts`. Times are
 * compared in the database (`created_at`), so the store's clock and the caller's must agree to the
 * second; on one machine they do.
 */
export async function checkoutLedger(
  pool: Pick<pg.Pool, 'query'>,
  fromMs: number,
  toMs: number,
): Promise<CheckoutLedgerSegment[]> {
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const result = await pool.query<{
    segment: string;
    orders: string;
    failed: string;
    declined: string;
    pending: string;
    failed_value: string;
    currency: string | null;
  }>({
    text: `with spanned as (
             select segment, status, failure_reason, total_cents, currency from orders
              where created_at >= $1::timestamptz and created_at < $2::timestamptz
             union all
             select segment, 'abandoned', reason, total_cents, currency from abandoned_checkouts
              where created_at >= $1::timestamptz and created_at < $2::timestamptz
           )
           select segment,
                  count(*)::text as orders,
                  count(*) filter (where status = 'abandoned'
                    or (status = 'payment_failed' and failure_reason is distinct from 'declined'))::text as failed,
                  count(*) filter (where status = 'payment_failed' and failure_reason = 'declined')::text as declined,
                  count(*) filter (where status in ('pending', 'payment_unknown'))::text as pending,
                  coalesce(sum(total_cents) filter (where status = 'abandoned'
                    or (status = 'payment_failed' and failure_reason is distinct from 'declined')), 0)::text as failed_value,
                  min(currency) as currency
             from spanned group by segment order by segment`,
    values: [from, to],
  });
  return result.rows.map((row) => ({
    segment: row.segment,
    orders: Number(row.orders),
    failed: Number(row.failed),
    declined: Number(row.declined),
    pending: Number(row.pending),
    failedValueMinor: Number(row.failed_value),
    currency: row.currency ?? 'usd',
  }));
}
