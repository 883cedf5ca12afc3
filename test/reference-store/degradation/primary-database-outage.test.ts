import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRequest, newKey, shopper } from '../support/test-store.js';
import { startSwitchedStore, type SwitchedStore } from './switched-store.js';

interface ProductList {
  items: { id: string; name: string; category: string }[];
  total: number;
}

let s: SwitchedStore;
const buyer = shopper('member');
let products: ProductList['items'] = [];
/** Checkouts the store acknowledged (2xx), for the invariants. */
const acknowledged: { idempotencyKey: string; orderId: string }[] = [];

async function checkout(headers: Record<string, string>, key = newKey()): Promise<Response> {
  const response = await s.fetch('/api/checkout', checkoutRequest(headers, key));
  if (response.ok) {
    const order = (await response.clone().json()) as { orderId: string };
    acknowledged.push({ idempotencyKey: key, orderId: order.orderId });
  }
  return response;
}

async function fillCart(headers: Record<string, string>, productId: string | undefined): Promise<void> {
  const added = await s.fetch('/api/cart/items', {
    method: 'POST',
    headers,
    json: { productId, quantity: 1 },
  });
  expect(added.status).toBe(201);
}

// A store that has served the catalog, carts and a checkout before the outage, as a real one has.
beforeAll(async () => {
  s = await startSwitchedStore();
  products = ((await (await s.fetch('/api/products?limit=100')).json()) as ProductList).items;
  await s.fetch(`/api/products/${products[3]?.id}`);
  const earlier = shopper();
  await fillCart(earlier.headers, products[3]?.id);
  expect((await checkout(earlier.headers)).status).toBe(201);
  await fillCart(buyer.headers, products[0]?.id);
  s.primary.cut();
});

afterAll(async () => {
  await s?.stop();
});

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const body = (await response.json()) as { status: number; type: string; detail: string };
  expect(body).toMatchObject({ status: 503, type: 'https://shopsre.dev/problems/unavailable' });
}

describe('the store while its primary database is cut off', () => {
  it('lists products from the in-memory snapshot, saying so in x-served-from', async () => {
    const response = await s.fetch('/api/products?limit=5');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-served-from')).toBe('cache');
    const body = (await response.json()) as ProductList;
    expect(body.items.map((p) => p.id)).toEqual(products.slice(0, 5).map((p) => p.id));
    expect(body.total).toBeGreaterThanOrEqual(products.length);
  });

  it('serves one product from the snapshot', async () => {
    const product = products[1];
    const response = await s.fetch(`/api/products/${product?.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-served-from')).toBe('cache');
    expect(await response.json()).toMatchObject({ id: product?.id, name: product?.name });
  });

  it('still filters search and category from the snapshot', async () => {
    const sample = products[2];
    const word = sample?.name.split(' ').at(-1)?.toLowerCase() ?? '';
    const search = await s.fetch(`/api/products?q=${encodeURIComponent(word)}&limit=100`);
    expect(search.status).toBe(200);
    expect(search.headers.get('x-served-from')).toBe('cache');
    const found = (await search.json()) as ProductList;
    expect(found.items.map((p) => p.id)).toContain(sample?.id);
    expect(found.total).toBeLessThan(products.length);

    const byCategory = await s.fetch(`/api/products?category=${encodeURIComponent(sample?.category ?? '')}`);
    const inCategory = (await byCategory.json()) as ProductList;
    expect(inCategory.items.length).toBeGreaterThan(0);
    expect(inCategory.items.every((p) => p.category === sample?.category)).toBe(true);
  });

  it('answers checkout at once with 503, Retry-After and a problem body instead of hanging', async () => {
    await expectUnavailable(await checkout(buyer.headers));
  }, 10_000);

  it('answers every cart endpoint with 503 and Retry-After', async () => {
    const headers = buyer.headers;
    await expectUnavailable(await s.fetch('/api/cart', { headers }));
    await expectUnavailable(
      await s.fetch('/api/cart/items', {
        method: 'POST',
        headers,
        json: { productId: products[0]?.id, quantity: 1 },
      }),
    );
    await expectUnavailable(
      await s.fetch(`/api/cart/items/${products[0]?.id}`, { method: 'DELETE', headers }),
    );
    await expectUnavailable(await s.fetch('/api/cart', { method: 'DELETE', headers }));
  });

  it('stays ready (200) but reports degraded with the database down', async () => {
    const response = await s.fetch('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ready: true, degraded: true, database: 'down' });
  });

  it('answered no request with a 500', () => {
    expect(s.responses.length).toBeGreaterThan(8);
    expect(s.responses.filter((r) => r.status === 500)).toEqual([]);
    expect(s.logs()).not.toContain('unhandled error');
  });
});

describe('the store once the primary database is back', () => {
  it('checks out the cart filled before the outage with a new key (the pool reconnects)', async () => {
    s.primary.restore();
    const response = await checkout(buyer.headers);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ status: 'paid' });
  });

  it('reads the catalog from the database again and reports ready without degradation', async () => {
    const list = await s.fetch('/api/products?limit=1');
    expect(list.status).toBe(200);
    expect(list.headers.get('x-served-from')).toBeNull();
    const product = await s.fetch(`/api/products/${products[3]?.id}`);
    expect(product.status).toBe(200);
    expect(product.headers.get('x-served-from')).toBeNull();
    const ready = await s.fetch('/readyz');
    expect(await ready.json()).toMatchObject({ ready: true, degraded: false, database: 'up' });
  });

  it('keeps its invariants: every acknowledged checkout has its order and one charge, stock matches', async () => {
    const report = await s.store.verify(acknowledged);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts.acknowledged).toBe(acknowledged.length);
  });

  it('answered no request with a 500, during the outage or after it', () => {
    expect(s.responses.filter((r) => r.status === 500)).toEqual([]);
    expect(s.logs()).not.toContain('unhandled error');
  });
});
