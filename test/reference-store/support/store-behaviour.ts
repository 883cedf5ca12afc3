import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startStore, type RunningStore } from '../../../reference-store/src/store.js';
import { loadSloFiles } from '../../../src/slo/load.js';
import {
  addToCart,
  checkoutRequest,
  fastPayments,
  newKey,
  setStock,
  shopper,
  stockOf,
  type TestStore,
} from './test-store.js';

/**
 * The store's API and invariants, the same on every database: registered once for the embedded
 * PGlite (test/reference-store/store-api.test.ts) and once for a real PostgreSQL (test/real/).
 */
export function storeBehaviour(start: () => Promise<TestStore>): void {
  let store: TestStore;
  beforeAll(async () => {
    store = await start();
  }, 120_000);
  afterAll(async () => {
    await store?.stop();
  });

  describe('catalog', () => {
    it('lists products in pages, with the total', async () => {
      const first = await json<{ items: { id: string }[]; total: number }>(
        store.request('/api/products?limit=5'),
      );
      const second = await json<{ items: { id: string }[]; total: number }>(
        store.request('/api/products?limit=5&offset=5'),
      );
      expect(first.items).toHaveLength(5);
      expect(first.total).toBe(300);
      expect(second.items.map((p) => p.id)).not.toContain(first.items[0]?.id);
    });

    it('finds products by text, and every hit mentions the words', async () => {
      const found = await json<{ items: { name: string; category: string }[]; total: number }>(
        store.request('/api/products?q=kettle&limit=100'),
      );
      expect(found.total).toBeGreaterThan(0);
      expect(found.total).toBeLessThan(300);
      for (const item of found.items) expect(item.name.toLowerCase()).toContain('kettle');
    });

    it('filters by category', async () => {
      const found = await json<{ items: { category: string }[] }>(
        store.request('/api/products?category=garden'),
      );
      expect(found.items.length).toBeGreaterThan(0);
      expect(new Set(found.items.map((p) => p.category))).toEqual(new Set(['garden']));
    });

    it('shows one product with its stock, and 404 for an unknown one', async () => {
      const product = await json<{ id: string; inStock: number; priceCents: number }>(
        store.request('/api/products/p-00002'),
      );
      expect(product.id).toBe('p-00002');
      expect(product.inStock).toBe(await stockOf(store, 'p-00002'));
      const missing = await store.request('/api/products/p-99999');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
    });

    it('serves the same catalog for the same seed', async () => {
      const rows = await store.sql<{ id: string; name: string; price_cents: number }>(
        "select id, name, price_cents from products where id in ('p-00001', 'p-00150') order by id",
      );
      // The seeded catalog is a function of the seed: the embedded and the PostgreSQL store agree.
      const again = await json<{ name: string; priceCents: number }>(store.request('/api/products/p-00150'));
      expect(rows[1]).toMatchObject({ name: again.name, price_cents: again.priceCents });
    });
  });

  describe('cart', () => {
    it('adds, accumulates, removes and clears items of the session cart', async () => {
      const { headers } = shopper();
      await addToCart(store, headers, 'p-00010', 2);
      await addToCart(store, headers, 'p-00010', 1);
      await addToCart(store, headers, 'p-00011', 1);
      const cart = await json<{ items: { productId: string; quantity: number }[]; totalCents: number }>(
        store.request('/api/cart', { headers }),
      );
      expect(cart.items).toEqual([
        expect.objectContaining({ productId: 'p-00010', quantity: 3 }),
        expect.objectContaining({ productId: 'p-00011', quantity: 1 }),
      ]);
      const prices = await store.sql<{ id: string; price_cents: number }>(
        "select id, price_cents from products where id in ('p-00010', 'p-00011') order by id",
      );
      expect(cart.totalCents).toBe(3 * (prices[0]?.price_cents ?? 0) + (prices[1]?.price_cents ?? 0));
      const removed = await json<{ items: unknown[] }>(
        store.request('/api/cart/items/p-00010', { method: 'DELETE', headers }),
      );
      expect(removed.items).toHaveLength(1);
      expect((await store.request('/api/cart', { method: 'DELETE', headers })).status).toBe(204);
      expect((await json<{ items: unknown[] }>(store.request('/api/cart', { headers }))).items).toEqual([]);
    });

    it('keeps carts apart per session, and per customer when a customer id is sent', async () => {
      const a = shopper();
      const b = shopper();
      await addToCart(store, a.headers, 'p-00012');
      expect(
        (await json<{ items: unknown[] }>(store.request('/api/cart', { headers: b.headers }))).items,
      ).toEqual([]);
      const customer = { 'x-customer-id': 'cust-00003' };
      await addToCart(store, { ...customer, 'x-session-id': 'one-device' }, 'p-00013');
      const elsewhere = await json<{ items: { productId: string }[] }>(
        store.request('/api/cart', { headers: { ...customer, 'x-session-id': 'other-device' } }),
      );
      expect(elsewhere.items.map((i) => i.productId)).toEqual(['p-00013']);
    });
  });

  describe('checkout', () => {
    it('pays, creates one order with its items, takes the stock and empties the cart', async () => {
      const { headers } = shopper('member');
      await addToCart(store, headers, 'p-00020', 2);
      const before = await stockOf(store, 'p-00020');
      const response = await store.request('/api/checkout', checkoutRequest(headers, newKey()));
      expect(response.status).toBe(201);
      const order = (await response.json()) as {
        orderId: string;
        status: string;
        segment: string;
        totalCents: number;
      };
      expect(order).toMatchObject({ status: 'paid', segment: 'member' });
      expect(response.headers.get('location')).toBe(`/api/orders/${order.orderId}`);
      expect(await stockOf(store, 'p-00020')).toBe(before - 2);
      expect((await json<{ items: unknown[] }>(store.request('/api/cart', { headers }))).items).toEqual([]);
      const stored = await json<{ orderId: string; status: string; items: unknown[] }>(
        store.request(`/api/orders/${order.orderId}`),
      );
      expect(stored).toMatchObject({ orderId: order.orderId, status: 'paid' });
      expect(stored.items).toEqual([expect.objectContaining({ productId: 'p-00020', quantity: 2 })]);
      const outbox = await store.sql('select * from outbox where aggregate_id = $1', [order.orderId]);
      expect(outbox).toHaveLength(1);
    });

    it('takes the segment of a known customer when no segment header is sent', async () => {
      const [customer] = await store.sql<{ id: string; segment: string }>(
        "select id, segment from customers where segment = 'vip' order by id limit 1",
      );
      const headers = { 'x-customer-id': customer?.id ?? '' };
      await store.request('/api/cart', { method: 'DELETE', headers });
      await addToCart(store, headers, 'p-00021');
      const order = await json<{ segment: string }>(
        store.request('/api/checkout', checkoutRequest(headers, newKey())),
      );
      expect(order.segment).toBe('vip');
    });

    it('answers the same order for the same key, sequentially, and charges once', async () => {
      const { headers } = shopper();
      await addToCart(store, headers, 'p-00022');
      const key = newKey();
      const first = await store.request('/api/checkout', checkoutRequest(headers, key));
      const second = await store.request('/api/checkout', checkoutRequest(headers, key));
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const [a, b] = [
        (await first.json()) as { orderId: string },
        (await second.json()) as { orderId: string },
      ];
      expect(b.orderId).toBe(a.orderId);
      expect(chargesFor(store, a.orderId)).toBe(1);
    });

    it('answers the same order for the same key sent concurrently, and charges once', async () => {
      const { headers } = shopper();
      await addToCart(store, headers, 'p-00023');
      const key = newKey();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => store.request('/api/checkout', checkoutRequest(headers, key))),
      );
      const bodies = (await Promise.all(responses.map((r) => r.json()))) as { orderId: string }[];
      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(bodies.map((b) => b.orderId)).size).toBe(1);
      expect(await store.sql('select id from orders where idempotency_key = $1', [key])).toHaveLength(1);
      expect(chargesFor(store, bodies[0]?.orderId ?? '')).toBe(1);
    });

    it('answers the same order for the same key sent to two store processes at once, and charges once', async () => {
      // A second store on the same database and vendors: the key is claimed in the database, not in memory.
      const twin: RunningStore = await startStore(
        {
          databaseUrl: store.dependencies.databaseUrl,
          vendors: store.dependencies.vendors,
          cdnUrl: store.dependencies.cdnUrl,
        },
        { reconcileIntervalMs: 0, drainMs: 0, logSink: { write: () => true }, payment: fastPayments },
      );
      try {
        const { headers } = shopper();
        await addToCart(store, headers, 'p-00024');
        const key = newKey();
        const responses = await Promise.all([
          store.request('/api/checkout', checkoutRequest(headers, key)),
          twin.app.request('/api/checkout', {
            ...checkoutRequest(headers, key),
            headers: { ...headers, 'idempotency-key': key, 'content-type': 'application/json' },
            body: JSON.stringify({ paymentToken: 'tok_visa' }),
          }),
        ]);
        const statuses = responses.map((r) => r.status).sort();
        expect(statuses).toEqual([200, 201]);
        const bodies = (await Promise.all(responses.map((r) => r.json()))) as { orderId: string }[];
        expect(bodies[0]?.orderId).toBe(bodies[1]?.orderId);
        expect(chargesFor(store, bodies[0]?.orderId ?? '')).toBe(1);
      } finally {
        await twin.stop();
      }
    });

    it('refuses a key reused for a different checkout', async () => {
      const a = shopper();
      const b = shopper();
      await addToCart(store, a.headers, 'p-00025');
      await addToCart(store, b.headers, 'p-00025');
      const key = newKey();
      expect((await store.request('/api/checkout', checkoutRequest(a.headers, key))).status).toBe(201);
      const reused = await store.request('/api/checkout', checkoutRequest(b.headers, key));
      expect(reused.status).toBe(422);
      expect(((await reused.json()) as { type: string }).type).toMatch(/idempotency-key-reused$/);
    });

    it('never oversells: hundreds of shoppers race for the last units', async () => {
      const product = 'p-00280';
      await setStock(store, product, 5);
      const shoppers = Array.from({ length: 200 }, (_, i) => shopper(['guest', 'member', 'vip'][i % 3]));
      for (const s of shoppers) await addToCart(store, s.headers, product);
      const keys = shoppers.map(() => newKey());
      const responses = await Promise.all(
        shoppers.map((s, i) => store.request('/api/checkout', checkoutRequest(s.headers, keys[i] ?? ''))),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 409)).toHaveLength(195);
      expect(await stockOf(store, product)).toBe(0);
      const acknowledged = (
        await Promise.all(
          responses.map(async (r, i) =>
            r.status === 201
              ? { idempotencyKey: keys[i] ?? '', orderId: ((await r.json()) as { orderId: string }).orderId }
              : undefined,
          ),
        )
      ).filter((a) => a !== undefined);
      const report = await store.verify(acknowledged);
      expect(report.violations).toEqual([]);
      expect(report.ok).toBe(true);
    });
  });

  describe('bad input answers 4xx problem+json, never 500, and writes nothing', () => {
    const cases: { name: string; path: string; init: () => RequestInit; status: number; code: string }[] = [
      {
        name: 'malformed JSON',
        path: '/api/cart/items',
        init: () => post('{"productId": "p-00001",'),
        status: 400,
        code: 'malformed-json',
      },
      {
        name: 'a quantity of the wrong type',
        path: '/api/cart/items',
        init: () => post({ productId: 'p-00001', quantity: '2' }),
        status: 400,
        code: 'invalid-body',
      },
      {
        name: 'a negative quantity',
        path: '/api/cart/items',
        init: () => post({ productId: 'p-00001', quantity: -3 }),
        status: 400,
        code: 'invalid-body',
      },
      {
        name: 'a fractional quantity',
        path: '/api/cart/items',
        init: () => post({ productId: 'p-00001', quantity: 1.5 }),
        status: 400,
        code: 'invalid-body',
      },
      {
        name: 'an unknown field',
        path: '/api/cart/items',
        init: () => post({ productId: 'p-00001', qty: 1 }),
        status: 400,
        code: 'invalid-body',
      },
      {
        name: 'a huge body',
        path: '/api/cart/items',
        init: () => post({ productId: 'p-00001', note: 'x'.repeat(100_000) }),
        status: 413,
        code: 'body-too-large',
      },
      {
        name: 'an unknown product',
        path: '/api/cart/items',
        init: () => post({ productId: 'p-77777', quantity: 1 }),
        status: 404,
        code: 'unknown-product',
      },
      {
        name: 'a body that is not JSON',
        path: '/api/cart/items',
        init: () => post('productId=p-00001', 'text/plain'),
        status: 415,
        code: 'unsupported-media-type',
      },
      {
        name: 'an array instead of an object',
        path: '/api/cart/items',
        init: () => post([1, 2]),
        status: 400,
        code: 'invalid-body',
      },
      {
        name: 'a card number instead of a token',
        path: '/api/checkout',
        init: () =>
          post({ paymentToken: 'tok_visa', card: '4242 4242 4242 4242' }, 'application/json', {
            'idempotency-key': newKey(),
          }),
        status: 400,
        code: 'card-data-rejected',
      },
      {
        name: 'a payment token of the wrong form',
        path: '/api/checkout',
        init: () => post({ paymentToken: 'visa' }, 'application/json', { 'idempotency-key': newKey() }),
        status: 400,
        code: 'invalid-body',
      },
      {
        name: 'a checkout without an Idempotency-Key',
        path: '/api/checkout',
        init: () => post({ paymentToken: 'tok_visa' }),
        status: 400,
        code: 'missing-idempotency-key',
      },
      {
        name: 'an Idempotency-Key too short',
        path: '/api/checkout',
        init: () => post({ paymentToken: 'tok_visa' }, 'application/json', { 'idempotency-key': 'abc' }),
        status: 400,
        code: 'invalid-idempotency-key',
      },
      {
        name: 'a checkout of an empty cart',
        path: '/api/checkout',
        init: () =>
          post({ paymentToken: 'tok_visa' }, 'application/json', {
            'idempotency-key': newKey(),
            'x-session-id': 'empty-cart-session',
          }),
        status: 422,
        code: 'empty-cart',
      },
      {
        name: 'an invalid segment',
        path: '/api/products',
        init: () => ({ headers: { 'x-customer-segment': 'platinum' } }),
        status: 400,
        code: 'invalid-segment',
      },
      {
        name: 'a cart request without a session',
        path: '/api/cart',
        init: () => ({}),
        status: 400,
        code: 'missing-cart-owner',
      },
      {
        name: 'a page size out of range',
        path: '/api/products?limit=5000',
        init: () => ({}),
        status: 400,
        code: 'invalid-query',
      },
      {
        name: 'an unknown route',
        path: '/api/nothing-here',
        init: () => ({}),
        status: 404,
        code: 'not-found',
      },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.status} ${c.code}`, async () => {
        const before = await writtenRows(store);
        const response = await store.request(c.path, c.init());
        expect(response.status).toBe(c.status);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        const body = (await response.json()) as { type: string; status: number; detail: string };
        expect(body.type).toBe(`https://shopsre.dev/problems/${c.code}`);
        expect(body.status).toBe(c.status);
        expect(await writtenRows(store)).toEqual(before);
      });
    }

    it('never writes a card number to the logs or the database', async () => {
      const card = '4000056655665556';
      await store.request(
        '/api/checkout',
        post({ paymentToken: 'tok_visa', number: card }, 'application/json', { 'idempotency-key': newKey() }),
      );
      expect(store.logs()).not.toContain(card);
      const dump = await store.sql<{ text: string }>(
        "select string_agg(o::text, ' ') as text from (select * from orders union all select * from orders limit 0) o",
      );
      expect(dump[0]?.text ?? '').not.toContain(card);
    });
  });

  describe('operations', () => {
    it('exposes per-segment request and checkout series on /metrics', async () => {
      const { headers } = shopper('vip');
      await addToCart(store, headers, 'p-00030');
      await store.request('/api/checkout', checkoutRequest(headers, newKey()));
      const text = await (await store.request('/metrics')).text();
      expect(text).toContain(
        'http_requests_total{route="/api/checkout",method="POST",status_class="2xx",segment="vip"}',
      );
      expect(text).toMatch(
        /http_request_duration_seconds_bucket\{le="0\.5",route="\/api\/checkout",method="POST",status_class="2xx",segment="vip"\} [1-9]/,
      );
      expect(text).toMatch(/checkout_outcomes_total\{segment="vip",outcome="paid"\} [1-9]/);
      expect(text).toMatch(/payment_attempts_total\{provider="primary",outcome="succeeded"\} [1-9]/);
      expect(text).toContain('payment_circuit_breaker_state{provider="primary"} 0');
      expect(text).toMatch(/db_pool_connections\{pool="primary",state="total"\} [1-9]/);
    });

    it('exposes every metric and label its own SLO file (reference-store/slos.yaml) queries', async () => {
      const slos = await loadSloFiles(['reference-store/slos.yaml'], {
        defaultPeriodMs: 30 * 86_400_000,
        cwd: repoRoot,
      });
      const text = await (await store.request('/metrics')).text();
      const exposed = new Set(
        text.split('\n').flatMap((line) => /^([a-z_:]+?)(_bucket|_count|_sum)?[{ ]/.exec(line)?.[1] ?? []),
      );
      const queried = new Set(
        JSON.stringify(slos.map((slo) => slo.sli)).match(/[a-z_]+_(total|seconds)/g) ?? [],
      );
      expect(queried.size).toBeGreaterThan(1);
      for (const name of queried) expect(exposed, name).toContain(name);
      expect(text).toMatch(/segment="(guest|member|vip)"/);
    });

    it('labels requests by route template, never by raw path', async () => {
      await store.request('/api/products/p-00040');
      await store.request('/api/products/p-00041');
      const text = await (await store.request('/metrics')).text();
      expect(text).toContain('route="/api/products/:id"');
      expect(text).not.toContain('route="/api/products/p-00040"');
    });

    it('is healthy and ready, and reports the payment breakers', async () => {
      expect((await store.request('/healthz')).status).toBe(200);
      const ready = await json<{ ready: boolean; database: string; paymentBreakers: Record<string, string> }>(
        store.request('/readyz'),
      );
      expect(ready).toMatchObject({
        ready: true,
        database: 'up',
        paymentBreakers: { primary: 'closed', backup: 'closed' },
      });
    });

    it('serves assets through the CDN edge, cached after the first request', async () => {
      const first = await store.request('/assets/img/product-7.svg');
      const second = await store.request('/assets/img/product-7.svg');
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toMatch(/svg/);
      expect(second.headers.get('x-cache')).toBe('HIT');
      expect(await second.text()).toBe(await first.text());
      expect((await store.request('/assets/nothing.bin')).status).toBe(404);
    });

    it('holds every invariant after all of the above', async () => {
      await store.reconcile({ graceMs: 0 });
      const report = await store.verify();
      expect(report.violations).toEqual([]);
      expect(report.counts.orders.paid).toBeGreaterThan(0);
    });
  });
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function post(
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-session-id': 'bad-input-session', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

async function json<T>(response: Promise<Response>): Promise<T> {
  const r = await response;
  if (r.status >= 300) throw new Error(`expected a 2xx answer, got ${r.status}: ${await r.text()}`);
  return (await r.json()) as T;
}

async function writtenRows(store: TestStore): Promise<Record<string, number>> {
  const [row] = await store.sql<Record<string, string>>(
    `select (select count(*) from orders) as orders, (select count(*) from cart_items) as cart_items,
            (select count(*) from payments) as payments, (select sum(stock) from inventory) as stock`,
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

function chargesFor(store: TestStore, orderId: string): number {
  const ledgers = store.dependencies.vendorSimulators.flatMap((v) => v.ledger());
  return ledgers.filter((charge) => charge.orderId === orderId).length;
}
