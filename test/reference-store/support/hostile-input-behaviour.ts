import { createServer } from 'node:net';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { classifyDatabaseError } from '../../../reference-store/src/db/database-errors.js';
import { createStorePools, type StorePools } from '../../../reference-store/src/db/pools.js';
import { databaseProblem } from '../../../reference-store/src/http/database-problem.js';
import { Problem } from '../../../reference-store/src/http/problem.js';
import { disallowedAnswer, hostileRequest, type HostileRequest, type RouteName } from './hostile-requests.js';
import type { TestStore } from './test-store.js';

export type DatabaseKind = 'pglite' | 'postgresql';

/** Fixed, so a failure replays; fast-check prints the seed and the path of a counterexample. */
const propertySeed = 20_261_207;
const propertyRuns = 400;

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
      { name: 'in a search term', path: '/api/products?q=kettle%00', init: () => ({}), code: 'invalid-query' },
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
    let pools: StorePools;
    const logs = bufferWriter();
    beforeAll(async () => {
      // The store's own kind of pool: simple protocol with inlined literals on PGlite, named statements on PostgreSQL.
      pools = await createStorePools(
        { primary: store.dependencies.databaseUrl },
        { max: 2, connectTimeoutMs: 10_000 },
        createLogger({ sink: logs, clock: systemClock, level: 'warn', json: true }),
      );
    });
    afterAll(async () => {
      await pools?.close();
    });

    const failureOf = async (text: string, values: unknown[] = []): Promise<unknown> =>
      pools.primary.query({ name: `probe-${text.length}-${values.length}`, text, values }).then(
        () => new Error('the query succeeded'),
        (error: unknown) => error,
      );

    const table: {
      name: string;
      text: string;
      values?: unknown[];
      sqlState: string;
      answer: [number, string];
    }[] = [
      {
        name: 'a NUL in a text parameter',
        text: 'select $1::text as t',
        values: ['p-\u0000'],
        sqlState: '22021',
        answer: [400, 'invalid-input'],
      },
      {
        name: 'a NUL inside an array parameter',
        text: 'select $1::text[] as t',
        values: [['a', 'b\u0000']],
        sqlState: '22021',
        answer: [400, 'invalid-input'],
      },
      {
        name: 'text that is not a number',
        text: 'select $1::int as n',
        values: ['twelve'],
        sqlState: '22P02',
        answer: [400, 'invalid-input'],
      },
      { name: 'a division by zero', text: 'select 1 / $1::int as n', values: [0], sqlState: '22012', answer: [400, 'invalid-input'] },
      {
        name: 'a number out of range',
        text: 'select $1::int as n',
        values: ['99999999999'],
        sqlState: '22003',
        answer: [400, 'invalid-input'],
      },
      {
        name: 'a NUL character made by the query (chr(0))',
        text: 'select chr($1::int) as c',
        values: [0],
        sqlState: '54000',
        answer: [400, 'invalid-input'],
      },
      {
        name: 'a cart line for a product that does not exist',
        text: 'insert into cart_items (cart_key, product_id, quantity) values ($1, $2, 1)',
        values: ['session:sqlstate-probe', 'p-77777'],
        sqlState: '23503',
        answer: [409, 'conflict'],
      },
      {
        name: 'a cart line over the quantity limit',
        text: 'insert into cart_items (cart_key, product_id, quantity) values ($1, $2, 1000)',
        values: ['session:sqlstate-probe', 'p-00001'],
        sqlState: '23514',
        answer: [409, 'conflict'],
      },
      {
        name: 'a customer id taken already',
        text: "insert into customers (id, segment) values ($1, 'guest')",
        values: ['cust-00001'],
        sqlState: '23505',
        answer: [409, 'conflict'],
      },
      {
        name: 'a missing required value',
        text: 'insert into cart_items (cart_key, product_id, quantity) values ($1, $2, 1)',
        values: [null, 'p-00001'],
        sqlState: '23502',
        answer: [409, 'conflict'],
      },
      {
        name: 'a table that does not exist (a bug, not the client)',
        text: 'select * from no_such_table where id = $1',
        values: ['x'],
        sqlState: '42P01',
        answer: [500, 'internal'],
      },
    ];
    for (const row of table) {
      const [status, code] = row.answer;
      it(`${row.name}: SQLSTATE ${row.sqlState} → ${status} ${code}`, async () => {
        const error = await failureOf(row.text, row.values);
        expect((error as { code?: unknown }).code).toBe(row.sqlState);
        const problem = databaseProblem(error);
        if (status === 500) {
          expect(classifyDatabaseError(error)).toEqual({ kind: 'unknown', sqlState: row.sqlState });
          expect(problem).toBeUndefined();
        } else {
          expect({ status: problem?.status, code: problem?.code }).toEqual({ status, code });
          expect(problem?.headers['retry-after']).toBeUndefined();
        }
        // The database is still there for everyone else.
        expect((await pools.primary.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      });
    }

    it('a constraint violation means what the caller says it means (unknown product: 404)', async () => {
      const error = await failureOf(
        'insert into cart_items (cart_key, product_id, quantity) values ($1, $2, 1)',
        ['session:sqlstate-probe', 'p-77777'],
      );
      const problem = databaseProblem(error, {
        'foreign-key': () => new Problem(404, 'unknown-product', 'no product p-77777'),
      });
      expect({ status: problem?.status, code: problem?.code }).toEqual({ status: 404, code: 'unknown-product' });
    });

    it('a NUL sent inside the SQL text itself, as the simple protocol once did, is a protocol violation (08P01) that must never be sent', async () => {
      // Both databases end the text at the NUL and refuse the message; pg reports it as class 08,
      // which is why the store refuses NUL before sending instead of classifying what comes back.
      const client = new pg.Client({ connectionString: store.dependencies.databaseUrl });
      client.on('error', () => undefined);
      await client.connect();
      const error = await client.query("select 'p-\u0000' as t").then(
        () => new Error('the query succeeded'),
        (e: unknown) => e,
      );
      await client.end().catch(() => undefined);
      expect((error as { code?: unknown }).code).toBe('08P01');
      expect(classifyDatabaseError(error).kind).toBe('unavailable');
      expect((await pools.primary.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    });

    it('a NUL in a parameter over the extended protocol is 22021 on this database too', async () => {
      const client = new pg.Client({ connectionString: store.dependencies.databaseUrl });
      await client.connect();
      try {
        const error = await client.query('select $1::text as t', ['p-\u0000']).then(
          () => new Error('the query succeeded'),
          (e: unknown) => e,
        );
        expect((error as { code?: unknown }).code).toBe('22021');
        expect(databaseProblem(error)?.status).toBe(400);
      } finally {
        await client.end();
      }
    });

    it('a database that refuses connections is unavailable: 503 with Retry-After', async () => {
      const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/store` });
      const error = await pool.query('select 1').then(
        () => new Error('the query succeeded'),
        (e: unknown) => e,
      );
      await pool.end();
      expect(classifyDatabaseError(error)).toEqual({ kind: 'unavailable' });
      const problem = databaseProblem(error);
      expect({ status: problem?.status, code: problem?.code }).toEqual({ status: 503, code: 'unavailable' });
      expect(problem?.headers['retry-after']).toBe('2');
    });

    it('a pool with no connection free in time is unavailable', async () => {
      const small = await createStorePools(
        { primary: store.dependencies.databaseUrl },
        { max: 1, connectTimeoutMs: 50 },
        createLogger({ sink: logs, clock: systemClock, level: 'warn', json: true }),
      );
      const held = await small.primary.connect();
      try {
        const error = await small.primary.query('select 1').then(
          () => new Error('the query succeeded'),
          (e: unknown) => e,
        );
        expect((error as Error).message).toMatch(/timeout exceeded when trying to connect/);
        expect(classifyDatabaseError(error)).toEqual({ kind: 'unavailable' });
      } finally {
        held.release();
        await small.close();
      }
    });

    if (kind === 'postgresql') {
      it('a connection the server terminates (57P01) is unavailable', async () => {
        const error = await pools.primary.query('select pg_terminate_backend(pg_backend_pid())').then(
          () => new Error('the query succeeded'),
          (e: unknown) => e,
        );
        expect((error as { code?: unknown }).code).toBe('57P01');
        expect(classifyDatabaseError(error)).toEqual({ kind: 'unavailable' });
      });
    }
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
          if (response.status >= 500) throw new Error(`${where} answered ${response.status}: ${await response.text()}`);
          if (response.headers.get('x-served-from') !== null) {
            throw new Error(`${where} was served from ${response.headers.get('x-served-from')} with no fault`);
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
        const ok = [...(tried.get(route)?.entries() ?? [])].filter(([s]) => s < 300).reduce((sum, [, n]) => sum + n, 0);
        expect(ok, route).toBeGreaterThan(0);
      }
    }, 120_000);

    it('leaves the store healthy and reading from its database, with no 5xx counted and no error logged', async () => {
      expect((await store.request('/healthz')).status).toBe(200);
      const ready = (await (await store.request('/readyz')).json()) as { database: string; degraded: boolean };
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

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
