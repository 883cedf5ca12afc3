import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStorePools,
  inlineParameters,
  type StorePools,
} from '../../../reference-store/src/db/pools.js';

const quietLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('parameters inlined for PGlite, whose connections share one session', () => {
  it('replaces $10 as the tenth value, not as $1 followed by 0', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineParameters('select $1, $10', values)).toBe("select '1', '10'");
  });

  it('refuses a placeholder without a value', () => {
    expect(() => inlineParameters('select $2', [1])).toThrow(/\$2/);
  });
});

describe('the store pools on PGlite over the wire, under concurrent transactions and queries', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let pools: StorePools;
  beforeAll(async () => {
    db = await PGlite.create();
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await server.start();
    pools = await createStorePools(
      { primary: `postgres://postgres@${server.getServerConn()}/postgres` },
      { max: 8, connectTimeoutMs: 30_000, queryTimeoutMs: 30_000 },
      quietLogger,
    );
    await pools.primary.query('create table t (id int primary key, v text)');
  }, 60_000);
  afterAll(async () => {
    await pools?.close();
    await server?.stop();
    await db?.close();
  });

  it('inlines strings and arrays with quotes and backslashes that read back unchanged', async () => {
    const values = ["it's", 'back\\slash', ['a"b', 'c\\d', null, "e'f", '{g,h}'], null, 42];
    const text = inlineParameters(
      'select $1::text as a, $2::text as b, $3::text[] as c, $4::text as d, $5::int as e',
      values,
    );
    const [row] = (await db.query<Record<string, unknown>>(text)).rows;
    expect(row).toEqual({ a: values[0], b: values[1], c: values[2], d: null, e: 42 });
  });

  // With plain `pg`, this mix binds one connection's parameters to another's statement or stalls:
  // pglite-socket queues protocol messages, not whole queries, in one shared session.
  it('answers every query with its own parameters and commits every transaction', async () => {
    const awkward = (i: number): string => `v'${i}"\\`;
    const outcomes = await Promise.all(
      Array.from({ length: 600 }, async (_, i) => {
        if (i % 2 === 1) {
          const client = await pools.primary.connect();
          try {
            await client.query('begin');
            await client.query({
              name: 'insert-t',
              text: 'insert into t values ($1, $2)',
              values: [i, awkward(i)],
            });
            await client.query('select $1::int + 1 as n', [i]);
            await client.query('commit');
          } finally {
            client.release();
          }
          return true;
        }
        const result = await pools.primary.query<{ v: string; a: (string | null)[] }>({
          name: 'echo',
          text: 'select $1::text as v, $2::text[] as a',
          values: [`v${i}`, ['a"b', null, 'c\\d']],
        });
        return (
          result.rows[0]?.v === `v${i}` &&
          JSON.stringify(result.rows[0]?.a) === JSON.stringify(['a"b', null, 'c\\d'])
        );
      }),
    );
    expect(outcomes.every(Boolean)).toBe(true);
    const stored = await pools.primary.query<{ n: number; v: string }>(
      'select count(*)::int as n, max(v) filter (where id = 7) as v from t',
    );
    expect(stored.rows[0]).toEqual({ n: 300, v: awkward(7) });
  }, 60_000);
});
