import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disallowedAnswer } from './api-answers.js';
import { databaseErrorBehaviour, type DatabaseKind } from './database-error-behaviour.js';
import { hostileRequest, type HostileRequest, type RouteName } from './hostile-requests.js';
import type { TestStore } from './test-store.js';

/** Fixed, so a failure replays; fast-check prints the seed and the path of a counterexample. */
const propertySeed = 20_261_207;
const propertyRuns = 1000;

/**
 * Input the database cannot store is the client's fault, on both databases: answered 400 before any
 * query, or by SQLSTATE when it reaches the database all the same, never as "database unavailable".
 * Registered for the embedded PGlite (test/reference-store/hostile-input.test.ts) and for a real
 * PostgreSQL (test/real/store-hostile-input.test.ts).
 */
export function hostileInputBehaviour(kind: DatabaseKind, start: () => Promise<TestStore>): void {
  let store: TestStore;
  beforeAll(async () => {
    store = await start();
  }, 120_000);
  afterAll(async () => {
    await store?.stop();
  });

  describe('a NUL character answers 400 before any query, not 503 "database unavailable"', () => {
    const cases: { name: string; path: string; init: () => RequestInit; code: string }[] = [
      { name: 'in an order id', path: '/api/orders/%00', init: () => ({}), code: 'invalid-path' },
      { name: 'in a product id', path: '/api/products/p-%00', init: () => ({}), code: 'invalid-path' },
      {
        name: 'in the product id of a cart line to remove',
        path: '/api/cart/items/%00',
        init: () => ({ method: 'DELETE', headers: { 'x-session-id': 'nul-session' } }),
        code: 'invalid-path',
      },
      {
        name: 'in the product id of a cart line to add',
        path: '/api/cart/items',
        init: () => jsonPost({ productId: 'p-\u0000', quantity: 1 }),
        code: 'invalid-body',
      },
      {
        name: 'in a search term',
        path: '/api/products?q=kettle%00',
        init: () => ({}),
        code: 'invalid-query',
      },
      { name: 'in a category', path: '/api/products?category=%00', init: () => ({}), code: 'invalid-query' },
      {
        name: 'in an acknowledged idempotency key sent to /admin/verify',
        path: '/admin/verify',
        init: () => jsonPost({ acknowledged: [{ idempotencyKey: 'key-\u0000' }] }),
        code: 'invalid-body',
      },
      {
        name: 'another control character (ESC) in an order id',
        path: '/api/orders/ord_%1B',
        init: () => ({}),
        code: 'invalid-path',
      },
      {
        name: 'an unpaired surrogate in a cart line',
        path: '/api/cart/items',
        init: () => jsonPost({ productId: 'p-\ud800', quantity: 1 }),
        code: 'invalid-body',
      },
    ];
    for (const c of cases) {
      it(`${c.name} → 400 ${c.code}, no Retry-After, nothing written, not counted as a 5xx`, async () => {
        const before = await written(store);
        const fiveHundredsBefore = await serverErrorsCounted(store);
        const response = await store.request(c.path, c.init());
        const body = (await response.json()) as { type: string; status: number };
        expect({ status: response.status, type: body.type }).toEqual({
          status: 400,
          type: `https://shopsre.dev/problems/${c.code}`,
        });
        expect(response.headers.get('retry-after')).toBeNull();
        expect(response.headers.get('x-served-from')).toBeNull();
        expect(await written(store)).toEqual(before);
        expect(await serverErrorsCounted(store)).toBe(fiveHundredsBefore);
      });
    }
  });

  describe('database errors are classified by SQLSTATE, whatever reaches the database', () => {
    databaseErrorBehaviour(kind, () => store);
  });

  describe('property: hostile requests on every route', () => {
    it(`answer only what the API table allows, never a 5xx, and write nothing when rejected (seed ${propertySeed}, ${propertyRuns} runs)`, async ({
      annotate,
    }) => {
      const tried = new Map<RouteName, Map<number, number>>();
      await fc.assert(
        fc.asyncProperty(hostileRequest, async (request) => {
          const before = await written(store);
          const response = await store.app.request(request.path, requestInit(request));
          const statuses = tried.get(request.route) ?? new Map<number, number>();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          tried.set(request.route, statuses);
          const where = `${request.method} ${request.path}`;
          if (response.status >= 500)
            throw new Error(`${where} answered ${response.status}: ${await response.text()}`);
          if (response.headers.get('x-served-from') !== null) {
            throw new Error(
              `${where} was served from ${response.headers.get('x-served-from')} with no fault`,
            );
          }
          const disallowed = await disallowedAnswer(request, response);
          if (disallowed) throw new Error(`${where}: ${disallowed}`);
          // 402 is a processed checkout (the declined order is kept); every other 4xx writes nothing.
          if (response.status >= 400 && response.status !== 402) {
            expect(await written(store), `${where} answered ${response.status} but wrote`).toEqual(before);
          }
        }),
        { seed: propertySeed, numRuns: propertyRuns },
      );

      const summary = [...tried.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([route, statuses]) => {
          const total = [...statuses.values()].reduce((sum, n) => sum + n, 0);
          const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
          return `${route}: ${total} (${byStatus.join(' ')})`;
        });
      await annotate(`${kind}, seed ${propertySeed}: ${summary.join('; ')}`);
      // Every route was tried, and the ones that can succeed did, so the property is not all 400s.
      expect(tried.size).toBe(14);
      for (const route of ['GET /api/products', 'POST /api/cart/items', 'POST /api/checkout'] as const) {
        const ok = [...(tried.get(route)?.entries() ?? [])]
          .filter(([s]) => s < 300)
          .reduce((sum, [, n]) => sum + n, 0);
        expect(ok, route).toBeGreaterThan(0);
      }
    }, 120_000);

    it('leaves the store healthy and reading from its database, with no 5xx counted and no error logged', async () => {
      expect((await store.request('/healthz')).status).toBe(200);
      const ready = (await (await store.request('/readyz')).json()) as {
        database: string;
        degraded: boolean;
      };
      expect(ready).toMatchObject({ database: 'up', degraded: false });
      const product = await store.request('/api/products/p-00001');
      expect(product.status).toBe(200);
      expect(product.headers.get('x-served-from')).toBeNull();
      expect(await serverErrorsCounted(store)).toBe(0);
      expect(store.logs()).not.toContain('unhandled error');
      await store.reconcile({ graceMs: 0 });
      expect((await store.verify()).violations).toEqual([]);
    });
  });
}

function jsonPost(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-session-id': 'nul-session' },
    body: JSON.stringify(body),
  };
}

function requestInit(request: HostileRequest): RequestInit {
  return {
    method: request.method,
    headers: new Headers(request.headers),
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}

/** Rows a rejected request must leave as they were, and the charges at every vendor. */
async function written(store: TestStore): Promise<Record<string, number>> {
  const [row] = await store.sql<Record<string, string>>(
    `select (select count(*) from orders) as orders, (select count(*) from order_items) as order_items,
            (select count(*) from cart_items) as cart_lines, (select coalesce(sum(quantity), 0) from cart_items) as cart_units,
            (select count(*) from payments) as payments, (select count(*) from outbox) as outbox,
            (select count(*) from refunds) as refunds, (select sum(stock) from inventory) as stock`,
  );
  const charges = store.dependencies.vendorSimulators.flatMap((v) => v.ledger()).length;
  return { ...Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)])), charges };
}

/** The 5xx answers in `http_requests_total`, over every route and segment. */
async function serverErrorsCounted(store: TestStore): Promise<number> {
  const text = await (await store.request('/metrics')).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('http_requests_total{') && line.includes('status_class="5xx"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
