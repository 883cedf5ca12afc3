import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { closeAfter, startProxies } from './support.js';

/** PGlite in memory behind the wire protocol, as the store's embedded database, and a TCP proxy to it. */
async function databaseBehindProxy() {
  const db = await PGlite.create();
  const socketServer = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await socketServer.start();
  closeAfter(async () => {
    await socketServer.stop();
    await db.close();
  });
  const proxies = await startProxies();
  const proxy = await proxies.addProxy({
    name: 'database',
    kind: 'tcp',
    upstream: socketServer.getServerConn(),
  });
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: `postgres://postgres@${proxy.listen}/postgres` });
    client.on('error', () => undefined);
    closeAfter(() => client.end().catch(() => undefined));
    await client.connect();
    return client;
  };
  return { proxies, connect };
}

describe('pg through the TCP fault proxy', () => {
  it('slows queries on an open connection, and a down toxic cuts it and refuses the next one', async () => {
    const { proxies, connect } = await databaseBehindProxy();
    const client = await connect();
    expect((await client.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);

    proxies.addToxic('database', {
      name: 'slow',
      type: 'latency',
      ttlMs: 10_000,
      attributes: { latency: 80 },
    });
    const start = performance.now();
    await client.query('select 1');
    expect(performance.now() - start).toBeGreaterThan(70);
    proxies.removeToxic('database', 'slow');

    proxies.addToxic('database', { name: 'down', type: 'down', ttlMs: 10_000 });
    await expect(client.query('select 1')).rejects.toThrow(/terminated|not queryable|ended/i);
    await expect(connect()).rejects.toThrow(/terminated|ECONNRESET|closed/i);
    proxies.removeToxic('database', 'down');
    expect((await (await connect()).query('select 2 as two')).rows).toEqual([{ two: 2 }]);
  });
});
