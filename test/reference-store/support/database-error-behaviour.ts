import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { bufferWriter } from '../../../src/core/io.js';
import { createLogger } from '../../../src/core/logger.js';
import { classifyDatabaseError } from '../../../reference-store/src/db/database-errors.js';
import { createStorePools, type StorePools } from '../../../reference-store/src/db/pools.js';
import { databaseProblem } from '../../../reference-store/src/http/database-problem.js';
import { Problem } from '../../../reference-store/src/http/problem.js';
import type { TestStore } from './test-store.js';

export type DatabaseKind = 'pglite' | 'postgresql';

/**
 * Real errors from this database, raised through the store's own kind of pool, and what the store
 * answers for each: the SQLSTATE table of the README, checked on PGlite and on PostgreSQL alike.
 */
export function databaseErrorBehaviour(kind: DatabaseKind, store: () => TestStore): void {
  let pools: StorePools;
  const logs = bufferWriter();
  beforeAll(async () => {
    // The store's own kind of pool: simple protocol with inlined literals on PGlite, named statements on PostgreSQL.
    pools = await createStorePools(
      { primary: store().dependencies.databaseUrl },
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
    {
      name: 'a division by zero',
      text: 'select 1 / $1::int as n',
      values: [0],
      sqlState: '22012',
      answer: [400, 'invalid-input'],
    },
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

  it('a NUL fails a query on a checked-out connection too (a transaction), and the connection goes on', async () => {
    const client = await pools.primary.connect();
    try {
      await client.query('begin');
      const error = await client.query({ text: 'select $1::text as t', values: ['\u0000'] }).then(
        () => new Error('the query succeeded'),
        (e: unknown) => e,
      );
      expect(classifyDatabaseError(error)).toEqual({ kind: 'invalid-input', sqlState: '22021' });
      await client.query('rollback');
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it('a constraint violation means what the caller says it means (unknown product: 404)', async () => {
    const error = await failureOf(
      'insert into cart_items (cart_key, product_id, quantity) values ($1, $2, 1)',
      ['session:sqlstate-probe', 'p-77777'],
    );
    const problem = databaseProblem(error, {
      'foreign-key': () => new Problem(404, 'unknown-product', 'no product p-77777'),
    });
    expect({ status: problem?.status, code: problem?.code }).toEqual({
      status: 404,
      code: 'unknown-product',
    });
  });

  it('a NUL sent inside the SQL text itself, as the simple protocol once did, is a protocol violation (08P01) that must never be sent', async () => {
    // Both databases end the text at the NUL and refuse the message; pg reports it as class 08,
    // which is why the store refuses NUL before sending instead of classifying what comes back.
    const client = new pg.Client({ connectionString: store().dependencies.databaseUrl });
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
    const client = new pg.Client({ connectionString: store().dependencies.databaseUrl });
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
    const pool = new pg.Pool({
      connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/store`,
    });
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
      { primary: store().dependencies.databaseUrl },
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
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
