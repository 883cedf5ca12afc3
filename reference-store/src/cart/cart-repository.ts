import type pg from 'pg';
import { withSpan } from '../tracing.js';

export interface CartLine {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface Cart {
  readonly items: readonly CartLine[];
  readonly totalCents: number;
  readonly currency: string;
}

export const maxQuantityPerLine = 100;

export interface CartRepository {
  get(cartKey: string): Promise<Cart>;
  add(cartKey: string, productId: string, quantity: number): Promise<Cart>;
  remove(cartKey: string, productId: string): Promise<Cart>;
  clear(cartKey: string): Promise<void>;
}

const cartSql = `select c.product_id, p.name, c.quantity, p.price_cents
  from cart_items c join products p on p.id = c.product_id where c.cart_key = $1 order by c.product_id`;

/** Carts live in the primary database: they are writes, and checkout reads them in its transaction. */
export function createCartRepository(primary: pg.Pool): CartRepository {
  const get = (cartKey: string): Promise<Cart> =>
    withSpan('db.get_cart', {}, async () => {
      const result = await primary.query<{
        product_id: string;
        name: string;
        quantity: number;
        price_cents: number;
      }>({ name: 'cart-get', text: cartSql, values: [cartKey] });
      const items = result.rows.map((r) => ({
        productId: r.product_id,
        name: r.name,
        quantity: r.quantity,
        unitPriceCents: r.price_cents,
      }));
      return {
        items,
        totalCents: items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
        currency: 'usd',
      };
    });
  return {
    get,
    /** Fails with a foreign-key violation for an unknown product, a check violation past the limit. */
    async add(cartKey, productId, quantity) {
      await withSpan('db.add_to_cart', {}, () =>
        primary.query({
          name: 'cart-add',
          text: `insert into cart_items (cart_key, product_id, quantity) values ($1, $2, $3)
                 on conflict (cart_key, product_id)
                 do update set quantity = cart_items.quantity + excluded.quantity, updated_at = now()`,
          values: [cartKey, productId, quantity],
        }),
      );
      return get(cartKey);
    },
    async remove(cartKey, productId) {
      await primary.query({
        name: 'cart-remove',
        text: 'delete from cart_items where cart_key = $1 and product_id = $2',
        values: [cartKey, productId],
      });
      return get(cartKey);
    },
    async clear(cartKey) {
      await primary.query({
        name: 'cart-clear',
        text: 'delete from cart_items where cart_key = $1',
        values: [cartKey],
      });
    },
  };
}
