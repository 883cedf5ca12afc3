import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { bufferWriter } from '../../../src/core/io.js';
import { createStore, type CreatedStore, type StoreOptions } from '../../../reference-store/src/store.js';

/** A small catalog, so building the embedded template (once per machine) and seeding PostgreSQL are quick. */
export const testCatalog = { seed: 1, products: 300, customers: 100, historyOrders: 1000 } as const;

/** Shared by every test file and kept between runs: the template is built once per machine. */
export const testCacheDir = join(tmpdir(), 'shopsre-test-templates');

/** Payment policies tightened so timeouts, breakers and backoff show within a test's time. */
export const fastPayments = {
  timeoutMs: 300,
  retries: 2,
  backoffInitialMs: 5,
  breakerFailures: 5,
  breakerHalfOpenAfterMs: 300,
} as const;

export interface TestStore extends CreatedStore {
  /** Everything the store logged (JSON lines). */
  logs(): string;
  /** Requests answered in-process by the app (no socket), with JSON helpers. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

export async function startTestStore(options: StoreOptions = {}): Promise<TestStore> {
  const logs = bufferWriter();
  const store = await createStore({
    ...testCatalog,
    cacheDir: testCacheDir,
    reconcileIntervalMs: 0,
    drainMs: 0,
    logSink: logs,
    pool: { max: 8, connectTimeoutMs: 10_000 },
    payment: fastPayments,
    ...options,
  });
  const sqlPool = new pg.Pool({ connectionString: store.dependencies.databaseUrl, max: 2 });
  let stopping: Promise<void> | undefined;
  // Tests stop and cut databases on purpose; an idle connection dying then is expected.
  sqlPool.on('error', () => undefined);
  return {
    ...store,
    logs: () => logs.text(),
    request: (path, init = {}) => {
      const { json, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (json !== undefined && !merged.has('content-type')) merged.set('content-type', 'application/json');
      return Promise.resolve(
        store.app.request(path, {
          ...rest,
          headers: merged,
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        }),
      );
    },
    sql: async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      (await sqlPool.query<R>(text, values)).rows,
    stop() {
      stopping ??= (async () => {
        await sqlPool.end();
        await store.stop();
      })();
      return stopping;
    },
  };
}

let sessionCounter = 0;

/** A shopper: a fresh session (and so a fresh cart) in a segment. */
export function shopper(segment = 'guest'): { sessionId: string; headers: Record<string, string> } {
  sessionCounter++;
  const sessionId = `s-${process.pid}-${Date.now().toString(36)}-${sessionCounter}`;
  return { sessionId, headers: { 'x-session-id': sessionId, 'x-customer-segment': segment } };
}

export function checkoutRequest(
  headers: Record<string, string>,
  idempotencyKey: string,
  paymentToken = 'tok_visa',
): RequestInit & { json: unknown } {
  return {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': idempotencyKey },
    json: { paymentToken },
  };
}

let keyCounter = 0;
export function newKey(): string {
  keyCounter++;
  return `key-${process.pid}-${Date.now().toString(36)}-${keyCounter}`;
}

/** Adds `quantity` of a product to the shopper's cart and fails the test if the store refuses. */
export async function addToCart(
  store: TestStore,
  headers: Record<string, string>,
  productId: string,
  quantity = 1,
): Promise<void> {
  const response = await store.request('/api/cart/items', {
    method: 'POST',
    headers,
    json: { productId, quantity },
  });
  if (response.status !== 201)
    throw new Error(`add to cart answered ${response.status}: ${await response.text()}`);
}

/** Sets a product's stock, keeping the invariant `stock = initial - sold` true. */
export async function setStock(store: TestStore, productId: string, stock: number): Promise<void> {
  await store.sql(
    `update inventory set stock = $2::int, initial_stock = $2::int + coalesce((
       select sum(oi.quantity) from order_items oi join orders o on o.id = oi.order_id
       where oi.product_id = $1 and o.status in ('paid', 'pending', 'payment_unknown')), 0)
     where product_id = $1`,
    [productId, stock],
  );
}

export async function stockOf(store: TestStore, productId: string): Promise<number> {
  const rows = await store.sql<{ stock: number }>('select stock from inventory where product_id = $1', [
    productId,
  ]);
  return rows[0]?.stock ?? Number.NaN;
}
