import type pg from 'pg';
import type { VendorCharge, VendorLedgerEntry } from '../payments/vendor-client.js';

/** A checkout the client saw acknowledged (2xx), as a load run or a test recorded it. */
export interface AcknowledgedCheckout {
  readonly idempotencyKey: string;
  readonly orderId?: string;
}

export interface VendorLedger {
  readonly name: string;
  listLedger(signal: AbortSignal): Promise<VendorLedgerEntry[]>;
}

export type InvariantName =
  | 'acknowledged-checkout-has-one-order'
  | 'paid-order-has-one-charge'
  | 'charge-has-paid-order-or-refund'
  | 'stock-not-negative'
  | 'stock-matches-sales'
  | 'no-unresolved-payment'
  | 'vendor-ledger-readable';

export interface Violation {
  readonly invariant: InvariantName;
  readonly detail: string;
}

export interface InvariantReport {
  readonly ok: boolean;
  readonly counts: {
    readonly orders: Readonly<Record<string, number>>;
    /** Captured charges per vendor whose ledger was read, refunded ones included. */
    readonly charges: Readonly<Record<string, number>>;
    readonly refunds: Readonly<Record<string, number>>;
    readonly products: number;
    readonly acknowledged: number;
  };
  /** Invariants not checked, and why (no vendor ledgers given, no acknowledged list). */
  readonly skipped: readonly string[];
  readonly violations: readonly Violation[];
}

export interface VerifyInputs {
  readonly pool: pg.Pool;
  /** Every vendor's ledger; without them the charge invariants are skipped (and say so). */
  readonly vendors?: readonly VendorLedger[];
  readonly acknowledged?: readonly AcknowledgedCheckout[];
  /** Bound on reading one vendor's whole ledger; default 3000 ms (a page of 1000 charges takes milliseconds). */
  readonly ledgerTimeoutMs?: number;
  /** Violations listed per invariant before the rest are counted only; default 20. */
  readonly maxListed?: number;
}

const chargeInvariants = 'paid-order-has-one-charge, charge-has-paid-order-or-refund';

type LedgerCharge = VendorCharge & { readonly vendor: string };

/**
 * The charges that stand (captured, not refunded in full), by the paid order they belong to, and a
 * line for each standing charge that belongs to no paid order: a customer charged for nothing.
 */
function standingCharges(
  entries: readonly (VendorLedgerEntry & { vendor: string })[],
  paidTotals: ReadonlyMap<string, number>,
): { standing: Map<string, LedgerCharge[]>; unpaid: string[] } {
  const refunded = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind !== 'refund') continue;
    const key = `${entry.vendor} ${entry.charge}`;
    refunded.set(key, (refunded.get(key) ?? 0) + entry.amount);
  }
  const standing = new Map<string, LedgerCharge[]>();
  const unpaid: string[] = [];
  for (const charge of entries) {
    if (charge.kind !== 'charge' || !charge.captured) continue;
    const refundedAmount = refunded.get(`${charge.vendor} ${charge.id}`) ?? 0;
    if (refundedAmount >= charge.amount) continue;
    if (charge.orderId === null || !paidTotals.has(charge.orderId)) {
      const partly = refundedAmount > 0 ? ` (${refundedAmount} of ${charge.amount} refunded)` : '';
      unpaid.push(
        `${charge.vendor} ${charge.id}: order ${charge.orderId ?? '(none)'} is not a paid order and the charge is not refunded${partly}`,
      );
      continue;
    }
    standing.set(charge.orderId, [...(standing.get(charge.orderId) ?? []), charge]);
  }
  return { standing, unpaid };
}

/**
 * The store's invariants, checked from the outside: the database and the vendors' ledgers, never the
 * store's own counters. Archived (seeded history) orders predate the vendors and are left out.
 */
export async function verifyInvariants(inputs: VerifyInputs): Promise<InvariantReport> {
  const maxListed = inputs.maxListed ?? 20;
  const violations: Violation[] = [];
  const skipped: string[] = [];
  const add = (invariant: InvariantName, details: readonly string[]): void => {
    for (const detail of details.slice(0, maxListed)) violations.push({ invariant, detail });
    if (details.length > maxListed) {
      violations.push({ invariant, detail: `… and ${details.length - maxListed} more` });
    }
  };

  const statusRows = await inputs.pool.query<{ status: string; n: string }>(
    "select status, count(*) as n from orders where status <> 'archived' group by status order by status",
  );
  const orderCounts = Object.fromEntries(statusRows.rows.map((r) => [r.status, Number(r.n)]));

  const stock = await inputs.pool.query<{
    product_id: string;
    initial_stock: number;
    stock: number;
    sold: string;
  }>(
    `select i.product_id, i.initial_stock, i.stock, coalesce(s.sold, 0) as sold
     from inventory i left join (
       select oi.product_id, sum(oi.quantity) as sold from order_items oi join orders o on o.id = oi.order_id
       where o.status in ('paid', 'pending', 'payment_unknown') group by oi.product_id
     ) s on s.product_id = i.product_id
     where i.stock < 0 or i.stock <> i.initial_stock - coalesce(s.sold, 0)
     order by i.product_id`,
  );
  const products = await inputs.pool.query<{ n: string }>('select count(*) as n from inventory');
  add(
    'stock-not-negative',
    stock.rows.filter((r) => r.stock < 0).map((r) => `${r.product_id}: stock ${r.stock}`),
  );
  add(
    'stock-matches-sales',
    stock.rows
      .filter((r) => r.stock >= 0)
      .map((r) => `${r.product_id}: stock ${r.stock}, expected ${r.initial_stock} - ${r.sold} sold`),
  );

  const open = await inputs.pool.query<{ id: string; status: string }>(
    "select id, status from orders where status in ('pending', 'payment_unknown') order by id",
  );
  add(
    'no-unresolved-payment',
    open.rows.map((r) => `${r.id}: ${r.status}`),
  );

  if (inputs.acknowledged) {
    const keys = inputs.acknowledged.map((a) => a.idempotencyKey);
    const found = await inputs.pool.query<{ idempotency_key: string; id: string }>(
      'select idempotency_key, id from orders where idempotency_key = any($1::text[])',
      [keys],
    );
    const byKey = new Map(found.rows.map((r) => [r.idempotency_key, r.id]));
    add(
      'acknowledged-checkout-has-one-order',
      inputs.acknowledged.flatMap((a) => {
        const id = byKey.get(a.idempotencyKey);
        if (!id) return [`${a.idempotencyKey}: acknowledged, but no order has this key`];
        if (a.orderId && a.orderId !== id)
          return [`${a.idempotencyKey}: acknowledged as ${a.orderId}, stored as ${id}`];
        return [];
      }),
    );
  } else {
    skipped.push('acknowledged-checkout-has-one-order: no list of acknowledged checkouts given');
  }

  const chargeCounts: Record<string, number> = {};
  const refundCounts: Record<string, number> = {};
  if (inputs.vendors && inputs.vendors.length > 0) {
    const entries: (VendorLedgerEntry & { vendor: string })[] = [];
    const unreadable: string[] = [];
    for (const vendor of inputs.vendors) {
      try {
        const ledger = await vendor.listLedger(AbortSignal.timeout(inputs.ledgerTimeoutMs ?? 3000));
        chargeCounts[vendor.name] = ledger.filter((e) => e.kind === 'charge' && e.captured).length;
        refundCounts[vendor.name] = ledger.filter((e) => e.kind === 'refund').length;
        entries.push(...ledger.map((entry) => ({ ...entry, vendor: vendor.name })));
      } catch (error) {
        // A ledger that cannot be read proves nothing either way: that is a failed check, not a pass.
        unreadable.push(`${vendor.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    add('vendor-ledger-readable', unreadable);
    if (unreadable.length > 0) {
      skipped.push(`charges not checked (${chargeInvariants}): a vendor ledger could not be read`);
    } else {
      const paid = await inputs.pool.query<{ id: string; total_cents: number }>(
        "select id, total_cents from orders where status = 'paid'",
      );
      const paidTotals = new Map(paid.rows.map((r) => [r.id, r.total_cents]));
      const { standing, unpaid } = standingCharges(entries, paidTotals);
      add('charge-has-paid-order-or-refund', unpaid);
      add(
        'paid-order-has-one-charge',
        [...paidTotals].flatMap(([id, total]) => {
          const list = standing.get(id) ?? [];
          if (list.length !== 1) {
            return [
              `${id}: ${list.length} captured charges (${list.map((c) => `${c.vendor} ${c.id}`).join(', ') || 'none'})`,
            ];
          }
          const amount = list[0]?.amount;
          return amount === total ? [] : [`${id}: charged ${amount}, order total ${total}`];
        }),
      );
    }
  } else {
    skipped.push(`charges not checked (${chargeInvariants}): no vendor ledgers given`);
  }

  return {
    ok: violations.length === 0,
    counts: {
      orders: orderCounts,
      charges: chargeCounts,
      refunds: refundCounts,
      products: Number(products.rows[0]?.n ?? 0),
      acknowledged: inputs.acknowledged?.length ?? 0,
    },
    skipped,
    violations,
  };
}
