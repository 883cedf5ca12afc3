import type pg from 'pg';
import { pickWeighted, seededRandom, type Random } from '../../../src/core/rng.js';
import { adjectives, categories, materials, nouns } from './catalog-words.js';

export interface SeedOptions {
  /** Same seed, same catalog, stock and customers. */
  readonly seed: number;
  /** Products in the catalog; default 2000. */
  readonly products?: number;
  /** Customers with a known segment; default 1000. */
  readonly customers?: number;
  /**
   * Archived orders written as history; default 20 000. Without history, the planner sees empty
   * `orders` and plans the foreign-key checks as sequential scans, which it then caches per
   * connection: checkout throughput decays within seconds (shared/NOTES.md).
   */
  readonly historyOrders?: number;
  /** Customer segments and their weights; default guest 60, member 35, vip 5. */
  readonly segmentMix?: Readonly<Record<string, number>>;
}

export interface SeedReport {
  readonly seeded: boolean;
  readonly seed: number;
  readonly products: number;
}

const defaultMix = { guest: 60, member: 35, vip: 5 };

/** Seeds an empty store; a store seeded before keeps its data and reports the seed it has. */
export async function seedStore(pool: pg.Pool, options: SeedOptions): Promise<SeedReport> {
  const existing = await pool.query<{ key: string; value: string }>(
    "select key, value from store_meta where key in ('seed', 'products')",
  );
  const meta = new Map(existing.rows.map((r) => [r.key, r.value]));
  if (meta.has('seed')) {
    return { seeded: false, seed: Number(meta.get('seed')), products: Number(meta.get('products')) };
  }
  const productCount = options.products ?? 2000;
  const random = seededRandom(options.seed, 0x5eed);
  const catalog = generateCatalog(random, productCount);
  const customers = generateCustomers(random, options.customers ?? 1000, options.segmentMix ?? defaultMix);

  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into products (id, sku, name, description, category, price_cents, image_path)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])`,
      [
        catalog.map((p) => p.id),
        catalog.map((p) => p.sku),
        catalog.map((p) => p.name),
        catalog.map((p) => p.description),
        catalog.map((p) => p.category),
        catalog.map((p) => p.priceCents),
        catalog.map((p) => p.imagePath),
      ],
    );
    await client.query(
      `insert into inventory (product_id, initial_stock, stock)
       select id, stock, stock from unnest($1::text[], $2::int[]) as t(id, stock)`,
      [catalog.map((p) => p.id), catalog.map((p) => p.stock)],
    );
    await client.query('insert into customers (id, segment) select * from unnest($1::text[], $2::text[])', [
      customers.map((c) => c.id),
      customers.map((c) => c.segment),
    ]);
    await seedHistory(client, options.historyOrders ?? 20_000, productCount);
    await client.query("insert into store_meta (key, value) values ('seed', $1), ('products', $2)", [
      String(options.seed),
      String(productCount),
    ]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
  await pool.query('analyze');
  return { seeded: true, seed: options.seed, products: productCount };
}

interface SeedProduct {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly priceCents: number;
  readonly imagePath: string;
  readonly stock: number;
}

export function productId(index: number): string {
  return `p-${String(index).padStart(5, '0')}`;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random.next() * items.length)] as T;
}

function generateCatalog(random: Random, count: number): SeedProduct[] {
  return Array.from({ length: count }, (_, i) => {
    const index = i + 1;
    const adjective = pick(random, adjectives);
    const material = pick(random, materials);
    const noun = pick(random, nouns);
    const category = pick(random, categories);
    const id = productId(index);
    return {
      id,
      sku: `SKU-${category.slice(0, 3).toUpperCase()}-${String(index).padStart(5, '0')}`,
      name: `${capitalise(adjective)} ${material} ${noun}`,
      description: `${/^[aeiou]/.test(adjective) ? 'An' : 'A'} ${adjective} ${noun} in ${material}, from our ${category} range.`,
      category,
      // Prices end in 99 cents, from $1.99 to $499.99.
      priceCents: (1 + Math.floor(random.next() * 499)) * 100 + 99,
      imagePath: `/assets/img/product-${index}.svg`,
      stock: 5 + Math.floor(random.next() * 296),
    };
  });
}

function generateCustomers(
  random: Random,
  count: number,
  mix: Readonly<Record<string, number>>,
): { id: string; segment: string }[] {
  const weights = Object.entries(mix);
  return Array.from({ length: count }, (_, i) => ({
    id: `cust-${String(i + 1).padStart(5, '0')}`,
    segment: pickWeighted(random, weights),
  }));
}

/** History in SQL (generate_series), so 20 000 orders cost one round trip each for orders and items. */
async function seedHistory(client: pg.PoolClient, orders: number, products: number): Promise<void> {
  if (orders <= 0) return;
  await client.query(
    `insert into orders (id, idempotency_key, request_hash, cart_key, segment, status, total_cents, currency,
                         created_at, updated_at)
     select 'ord_hist_' || lpad(g::text, 6, '0'), 'history-' || g, 'history',
            'customer:cust-' || lpad((g % 1000 + 1)::text, 5, '0'), 'guest', 'archived', 0, 'usd',
            now() - make_interval(mins => g), now() - make_interval(mins => g)
     from generate_series(1, $1::int) g`,
    [orders],
  );
  await client.query(
    `insert into order_items (order_id, product_id, quantity, unit_price_cents)
     select 'ord_hist_' || lpad(g::text, 6, '0'), p.id, 1 + g % 3, p.price_cents
     from generate_series(1, $1::int) g
     join products p on p.id = 'p-' || lpad(((g::bigint * 7919) % $2::int + 1)::text, 5, '0')`,
    [orders, products],
  );
  await client.query(
    `update orders o set total_cents = s.total
     from (select order_id, sum(quantity * unit_price_cents)::int as total from order_items group by order_id) s
     where o.id = s.order_id and o.status = 'archived'`,
  );
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
