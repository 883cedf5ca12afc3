import type pg from 'pg';
import type { Logger } from '../../../src/core/logger.js';
import { isDatabaseUnavailable } from '../db/database-errors.js';
import type { StoreMetrics } from '../metrics.js';
import { withSpan } from '../tracing.js';

export interface ProductSummary {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly priceCents: number;
  readonly currency: string;
  readonly image: string;
}

export interface Product extends ProductSummary {
  readonly sku: string;
  readonly description: string;
  readonly inStock: number;
}

export interface ProductQuery {
  readonly q?: string | undefined;
  readonly category?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Where a catalog answer came from; anything but the preferred source is a degraded read. */
export type CatalogSource = 'preferred' | 'replica' | 'primary' | 'cache';

export interface CatalogReader {
  list(query: ProductQuery): Promise<{ items: ProductSummary[]; total: number; source: CatalogSource }>;
  get(id: string): Promise<{ product: Product | undefined; source: CatalogSource }>;
  /** Loads the in-memory snapshot that serves reads while no database answers. */
  refreshSnapshot(): Promise<void>;
}

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  price_cents: number;
  currency: string;
  image_path: string;
  stock: number;
}

const listSql = `select p.id, p.name, p.category, p.price_cents, p.currency, p.image_path, count(*) over () as total
  from products p
  where ($1::text is null or p.search @@ websearch_to_tsquery('english', $1))
    and ($2::text is null or p.category = $2)
  order by p.id limit $3 offset $4`;
const getSql = `select p.id, p.sku, p.name, p.description, p.category, p.price_cents, p.currency, p.image_path, i.stock
  from products p join inventory i on i.product_id = p.id where p.id = $1`;
const snapshotSql = `select p.id, p.sku, p.name, p.description, p.category, p.price_cents, p.currency, p.image_path, i.stock
  from products p join inventory i on i.product_id = p.id order by p.id`;

/**
 * Catalog reads that keep working while the primary database is down: the preferred pool (the
 * replica when one is configured), then the other pool, then a snapshot in memory. Stock shown from
 * the snapshot may be stale; checkout re-checks it in its transaction, so that is safe.
 */
export function createCatalogReader(
  pools: { readonly primary: pg.Pool; readonly replica: pg.Pool | undefined },
  metrics: StoreMetrics,
  logger: Logger,
): CatalogReader {
  const sources: { name: CatalogSource; pool: pg.Pool }[] = pools.replica
    ? [
        { name: 'replica', pool: pools.replica },
        { name: 'primary', pool: pools.primary },
      ]
    : [{ name: 'primary', pool: pools.primary }];
  let snapshot: Product[] = [];
  let byId = new Map<string, Product>();

  const read = async <T>(
    what: string,
    run: (pool: pg.Pool) => Promise<T>,
    fromCache: () => T,
  ): Promise<{ value: T; source: CatalogSource }> => {
    for (const [index, source] of sources.entries()) {
      try {
        const value = await withSpan(`db.${what}`, { 'db.pool': source.name }, () => run(source.pool));
        if (index > 0) metrics.catalogFallbacks.inc({ source: source.name });
        return { value, source: index === 0 ? 'preferred' : source.name };
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        logger.debug('catalog read failed over', { pool: source.name, error: (error as Error).message });
      }
    }
    metrics.catalogFallbacks.inc({ source: 'cache' });
    return { value: fromCache(), source: 'cache' };
  };

  return {
    async list(query) {
      const { value, source } = await read(
        'list_products',
        async (pool) => {
          const result = await pool.query<ProductRow & { total: string }>({
            name: 'catalog-list',
            text: listSql,
            values: [query.q ?? null, query.category ?? null, query.limit, query.offset],
          });
          return { items: result.rows.map(toSummary), total: Number(result.rows[0]?.total ?? 0) };
        },
        () => {
          const matches = snapshot.filter((p) => matchesQuery(p, query));
          return { items: matches.slice(query.offset, query.offset + query.limit), total: matches.length };
        },
      );
      return { ...value, source };
    },
    async get(id) {
      const { value, source } = await read(
        'get_product',
        async (pool) => {
          const result = await pool.query<ProductRow>({ name: 'catalog-get', text: getSql, values: [id] });
          const row = result.rows[0];
          return row ? toProduct(row) : undefined;
        },
        () => byId.get(id),
      );
      return { product: value, source };
    },
    async refreshSnapshot() {
      const { value, source } = await read(
        'snapshot',
        async (pool) => (await pool.query<ProductRow>(snapshotSql)).rows.map(toProduct),
        () => snapshot,
      );
      if (source === 'cache') return;
      snapshot = value;
      byId = new Map(value.map((p) => [p.id, p]));
    },
  };
}

function toSummary(row: ProductRow): ProductSummary {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    priceCents: row.price_cents,
    currency: row.currency,
    image: row.image_path,
  };
}

function toProduct(row: ProductRow): Product {
  return { ...toSummary(row), sku: row.sku, description: row.description, inStock: row.stock };
}

function matchesQuery(product: Product, query: ProductQuery): boolean {
  if (query.category && product.category !== query.category) return false;
  if (!query.q) return true;
  const text = `${product.name} ${product.description} ${product.category}`.toLowerCase();
  return query.q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}
