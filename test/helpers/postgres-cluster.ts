import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client, type QueryResult, type QueryResultRow } from 'pg';

/**
 * Throwaway PostgreSQL clusters for tests in `test/real/`: initdb into a temp directory owned by the
 * `postgres` OS user (the server refuses to run as root), trust auth, listening on a free loopback
 * port with its socket beside the data directory, so nothing touches a system cluster.
 */
const run = promisify(execFile);
const debianRoot = '/usr/lib/postgresql';
const readyTimeoutSeconds = 15;

export type PostgresAvailability = { available: true; bin: string } | { available: false; reason: string };

export interface PostgresClusterOptions {
  /** Default false: a test cluster need not survive a power cut, and initdb and commits get faster. */
  fsync?: boolean;
  /** Default 100. */
  maxConnections?: number;
  /** Extra postgresql.conf settings; they win over the defaults above. */
  settings?: Record<string, string>;
}

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly bin: string;
  /** Runs one statement on its own short-lived connection to the `postgres` database. */
  query<Row extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<QueryResult<Row>>;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Default mode 'fast'. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server if it runs and removes its directory; safe to call twice. */
  destroy(): Promise<void>;
}

export interface PostgresReplicationPair {
  readonly primary: PostgresCluster;
  readonly replica: PostgresCluster;
  /** `pg_ctl promote`, then waits until the replica has left recovery. */
  promoteReplica(): Promise<void>;
  /** Waits until the replica has replayed the primary's current WAL position. */
  waitForReplay(): Promise<void>;
  destroy(): Promise<void>;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `PG_BIN` if set, else the newest Debian `/usr/lib/postgresql/<major>/bin` that has initdb. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return executable(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const majors = existsSync(debianRoot) ? readdirSync(debianRoot) : [];
  return majors
    .filter((major) => /^\d+(\.\d+)?$/.test(major))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => join(debianRoot, major, 'bin'))
    .find((bin) => executable(join(bin, 'initdb')));
}

const runningAsRoot = (): boolean => process.getuid?.() === 0;

export function postgresAvailability(): PostgresAvailability {
  const bin = findPostgresBin();
  if (!bin) {
    const where = process.env.PG_BIN ? `PG_BIN=${process.env.PG_BIN}` : `${debianRoot}/*/bin`;
    return {
      available: false,
      reason: `PostgreSQL not found (no initdb in ${where}): install the Debian "postgresql" package (scripts/install-system-deps.sh)`,
    };
  }
  if (runningAsRoot() && !executable('/usr/sbin/runuser') && !executable('/usr/bin/su')) {
    return {
      available: false,
      reason: 'running as root, but neither runuser nor su is there to drop to postgres',
    };
  }
  return { available: true, bin };
}

const shellQuote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs a PostgreSQL program as the postgres OS user (directly when we are not root). */
async function asPostgres(command: string, args: readonly string[], cwd: string): Promise<string> {
  const [file, argv] = !runningAsRoot()
    ? [command, args]
    : executable('/usr/sbin/runuser')
      ? ['/usr/sbin/runuser', ['-u', 'postgres', '--', command, ...args]]
      : ['/usr/bin/su', ['postgres', '-s', '/bin/sh', '-c', [command, ...args].map(shellQuote).join(' ')]];
  try {
    const { stdout, stderr } = await run(file, argv, {
      cwd,
      env: { ...process.env, LC_ALL: 'C' },
      timeout: 60_000,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${[command, ...args].join(' ')} failed: ${failed.stderr || failed.stdout || failed.message}`,
    );
  }
}

let postgresIds: Promise<{ uid: number; gid: number }> | undefined;
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  postgresIds ??= Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]).then(
    ([uid, gid]) => ({ uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }),
  );
  return postgresIds;
}

/** A temp directory the postgres user owns; it holds `data/`, the socket and the log. */
async function makeRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'shopsre-pg-'));
  if (runningAsRoot()) {
    const { uid, gid } = await postgresUser();
    await chown(root, uid, gid);
  }
  return root;
}

/** Binds port 0 and closes it again; the port may in theory be taken before the server binds it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port from the kernel');
  return address.port;
}

const confLines = (settings: Record<string, string>): string =>
  Object.entries(settings)
    .map(([key, value]) => `${key} = '${value.replaceAll("'", "''")}'\n`)
    .join('');

async function logTail(logFile: string, lines = 30): Promise<string> {
  const log = await readFile(logFile, 'utf8').catch(() => '(no log)');
  return log.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Also false for a zombie: the postmaster's parent (often PID 1 here) may reap it only later. */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/**
 * Last resort when `pg_ctl stop` fails: SIGKILL the postmaster named in postmaster.pid, and its
 * backends with it (pg_ctl starts the postmaster in its own session, so its process group).
 */
async function killPostmaster(dataDir: string): Promise<void> {
  const pidFile = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(pidFile.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  for (let waited = 0; processAlive(pid) && waited < 5_000; waited += 50) await delay(50);
}

async function poll(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = readyTimeoutSeconds * 1_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}

/** Wraps an initialised data directory under `root`; the server is not started yet. */
function clusterAt(root: string, bin: string, port: number): PostgresCluster {
  const dataDir = join(root, 'data');
  const logFile = join(root, 'postgres.log');
  const pgCtl = (...args: string[]): Promise<string> =>
    asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, ...args], root);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let destroyed: Promise<void> | undefined;

  const cluster: PostgresCluster = {
    url,
    port,
    dataDir,
    bin,
    async query<Row extends QueryResultRow>(sql: string, params?: unknown[]) {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query<Row>(sql, params);
      } finally {
        await client.end();
      }
    },
    async createDatabase(name) {
      await cluster.query(`create database "${name.replaceAll('"', '""')}"`);
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async stop(mode = 'fast') {
      await pgCtl('stop', '-w', '-m', mode);
    },
    async start() {
      try {
        await pgCtl('start', '-w', '-t', String(readyTimeoutSeconds), '-l', logFile);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(
          `PostgreSQL in ${dataDir} did not start: ${message}\n--- log tail ---\n${await logTail(logFile)}`,
        );
      }
    },
    destroy() {
      destroyed ??= (async () => {
        if (existsSync(join(dataDir, 'postmaster.pid'))) {
          await cluster.stop('immediate').catch(() => killPostmaster(dataDir));
        }
        await rm(root, { recursive: true, force: true });
      })();
      return destroyed;
    },
  };
  return cluster;
}

/** postgresql.conf and pg_hba.conf for a loopback-only cluster with trust auth. */
async function configure(root: string, port: number, options: PostgresClusterOptions): Promise<void> {
  const dataDir = join(root, 'data');
  const settings = {
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: root,
    fsync: options.fsync ? 'on' : 'off',
    max_connections: String(options.maxConnections ?? 100),
    ...options.settings,
  };
  // Appended after the stock file (and after a base backup's copy of the primary's), so these win.
  await appendFile(join(dataDir, 'postgresql.conf'), `\n# shopsre test harness\n${confLines(settings)}`);
  await writeFile(
    join(dataDir, 'pg_hba.conf'),
    [
      'local all all trust',
      'host all all 127.0.0.1/32 trust',
      'local replication all trust',
      'host replication all 127.0.0.1/32 trust',
      '',
    ].join('\n'),
  );
}

function requireBin(): string {
  const availability = postgresAvailability();
  if (!availability.available) throw new Error(availability.reason);
  return availability.bin;
}

/** Builds a cluster in a fresh root with `initialise`, configures and starts it; cleans up on failure. */
async function startIn(
  options: PostgresClusterOptions,
  initialise: (root: string, bin: string) => Promise<unknown>,
): Promise<PostgresCluster> {
  const bin = requireBin();
  const root = await makeRoot();
  const port = await freePort();
  const cluster = clusterAt(root, bin, port);
  try {
    await initialise(root, bin);
    await configure(root, port, options);
    await cluster.start();
    return cluster;
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
}

export function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  return startIn(options, (root, bin) =>
    asPostgres(
      join(bin, 'initdb'),
      ['-D', join(root, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      root,
    ),
  );
}

/** A primary and a hot standby streaming from it (`pg_basebackup -R -X stream`). */
export async function startPostgresPrimaryWithReplica(
  options: PostgresClusterOptions = {},
): Promise<PostgresReplicationPair> {
  const primary = await startPostgresCluster({
    ...options,
    // wal_keep_size: the replica connects after the backup; keep the WAL it still needs.
    settings: { wal_level: 'replica', max_wal_senders: '5', wal_keep_size: '64MB', ...options.settings },
  });
  const source = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
  const backup = ['-R', '-X', 'stream', '-c', 'fast', '--no-sync', ...source];
  const standby = { ...options, settings: { hot_standby: 'on', ...options.settings } };
  let replica: PostgresCluster;
  try {
    replica = await startIn(standby, (root, bin) =>
      asPostgres(join(bin, 'pg_basebackup'), ['-D', join(root, 'data'), ...backup], root),
    );
  } catch (error) {
    await primary.destroy();
    throw error;
  }
  const inRecovery = async (): Promise<boolean> =>
    (await replica.query<{ recovering: boolean }>('select pg_is_in_recovery() as recovering')).rows[0]
      ?.recovering ?? true;

  return {
    primary,
    replica,
    async promoteReplica() {
      await asPostgres(
        join(replica.bin, 'pg_ctl'),
        ['-D', replica.dataDir, 'promote', '-w'],
        dirname(replica.dataDir),
      );
      await poll('the promoted replica to leave recovery', async () => !(await inRecovery()));
    },
    async waitForReplay() {
      const { rows } = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      const lsn = rows[0]?.lsn;
      if (!lsn) throw new Error('the primary reported no WAL position');
      await poll(`the replica to replay ${lsn}`, async () => {
        const replayed = await replica.query<{ caught: boolean | null }>(
          'select pg_last_wal_replay_lsn() >= $1::pg_lsn as caught',
          [lsn],
        );
        return replayed.rows[0]?.caught === true;
      });
    },
    async destroy() {
      await Promise.all([replica.destroy(), primary.destroy()]);
    },
  };
}
