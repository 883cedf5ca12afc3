import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';
import {
  startPostgresCluster,
  startPostgresPrimaryWithReplica,
  type PostgresCluster,
  type PostgresReplicationPair,
} from '../helpers/postgres-cluster.js';

/**
 * The harness behind every PostgreSQL test in `test/real/`, run against the real server (Debian's
 * `postgresql` package). Skipped without PostgreSQL locally, failed in CI.
 */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function postmasterPid(cluster: PostgresCluster): number {
  return Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Gone or a zombie: the postmaster's parent (PID 1 here) may reap it only later. */
function alive(pid: number): boolean {
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat !== '' && !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
}

describeWithPostgres('a throwaway PostgreSQL cluster', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  });
  afterAll(() => cluster?.destroy());

  it('answers select version() with the version of the postgres binary in its bin directory', async () => {
    const binary = execFileSync(join(cluster.bin, 'postgres'), ['--version'], { encoding: 'utf8' });
    const major = /\(PostgreSQL\) (\d+)/.exec(binary)?.[1];
    const { rows } = await cluster.query<{ version: string }>('select version()');
    expect(rows[0]?.version).toMatch(new RegExp(`^PostgreSQL ${major}\\.\\d+ `));
  });

  it('listens on loopback only, keeps its socket beside the data directory and runs without fsync', async () => {
    const { rows } = await cluster.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings
        where name in ('listen_addresses', 'unix_socket_directories', 'fsync', 'max_connections', 'port')
        order by name`,
    );
    expect(Object.fromEntries(rows.map((row) => [row.name, row.setting]))).toEqual({
      fsync: 'off',
      listen_addresses: '127.0.0.1',
      max_connections: '100',
      port: String(cluster.port),
      unix_socket_directories: dirname(cluster.dataDir),
    });
    expect(cluster.url).toBe(`postgres://postgres@127.0.0.1:${cluster.port}/postgres`);
  });

  it('createDatabase returns a URL that connects to the new database', async () => {
    const url = await cluster.createDatabase('shop orders');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>('select current_database() as name');
      expect(rows[0]?.name).toBe('shop orders');
    } finally {
      await client.end();
    }
  });

  it('keeps committed rows across a fast stop and an immediate stop', async () => {
    await cluster.query('create table kept (id int primary key)');
    await cluster.query('insert into kept values (1)');
    await cluster.stop();
    await cluster.start();
    await cluster.query('insert into kept values (2)');
    await cluster.stop('immediate');
    await cluster.start();
    const { rows } = await cluster.query<{ id: number }>('select id from kept order by id');
    expect(rows.map((row) => row.id)).toEqual([1, 2]);
  });
});

describeWithPostgres('cleaning up a PostgreSQL cluster', () => {
  it('destroy stops the server, removes its directory and frees its port, and may be called twice', async () => {
    const cluster = await startPostgresCluster();
    const pid = postmasterPid(cluster);
    await cluster.destroy();
    await cluster.destroy();
    expect(alive(pid)).toBe(false);
    expect(existsSync(dirname(cluster.dataDir))).toBe(false);
    expect(await portIsFree(cluster.port)).toBe(true);
  });

  it('a start that fails shows the log tail and leaves no directory behind', async () => {
    const message = await startPostgresCluster({ settings: { shared_buffers: 'lots' } }).then(
      async (started) => {
        await started.destroy();
        return 'started';
      },
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(message).toMatch(/invalid value for parameter "shared_buffers": "lots"/);
    const dataDir = /PostgreSQL in (\S+) did not start/.exec(message)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dirname(dataDir ?? ''))).toBe(false);
  });
});

describeWithPostgres('a PostgreSQL primary with a streaming replica', () => {
  let pair: PostgresReplicationPair;
  beforeAll(async () => {
    pair = await startPostgresPrimaryWithReplica();
    await pair.primary.query('create table orders (id int primary key, total_cents int not null)');
  });
  afterAll(() => pair?.destroy());

  it('a row written on the primary is on the replica after waitForReplay', async () => {
    await pair.primary.query('insert into orders values (1, 4200)');
    await pair.waitForReplay();
    const { rows } = await pair.replica.query<{ total_cents: number }>('select total_cents from orders');
    expect(rows).toEqual([{ total_cents: 4200 }]);
  });

  it('the replica refuses writes', async () => {
    await expect(pair.replica.query('insert into orders values (2, 100)')).rejects.toThrow(
      'cannot execute INSERT in a read-only transaction',
    );
  });

  it('after the primary stops, the promoted replica accepts writes and keeps the replicated rows', async () => {
    await pair.primary.stop();
    await pair.promoteReplica();
    await pair.replica.query('insert into orders values (2, 100)');
    const { rows } = await pair.replica.query<{ id: number }>('select id from orders order by id');
    expect(rows.map((row) => row.id)).toEqual([1, 2]);
  });
});
