// Checkout capacity of the reference store on this machine, in this run (`npx tsx bench/store-checkout.ts`).
//
// What it measures, and why:
// 1. POST /api/checkout against the store on the embedded PGlite and on a throwaway PostgreSQL 15:
//    a closed loop (16 clients, 2 s warm-up, 10 s measured) for the ceiling, then an open loop at a
//    fixed rate whose latency counts from each request's intended start (no coordinated omission).
//    The closed loop's last seconds are compared with its first to catch the decay trap of
//    shared/NOTES.md (cached sequential-scan plans). Carts are pre-filled with SQL and every product
//    gets a big stock, so each checkout is a paid one (201) and nothing else is measured.
// 2. The same SQL (both transactions of order-repository.ts and the order read that answers the
//    request) as a pgbench script on a fresh copy of the same seeded database, in the same cluster and
//    run: the store's checkouts/s over pgbench's TPS says how much the Node side (HTTP, pg driver,
//    payment call, JSON) costs against the database doing the same work alone.
// The store runs as users run it: its own process (`shopsre store serve` from dist/, built first when
// stale), with its vendor simulators inside it (and PGlite too, on PGlite); only the load generator
// runs in this process. On this 2-core machine, CPU per checkout is reported from /proc for the store
// process, this process (the load generator), PostgreSQL (the whole cluster) and pgbench.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { JsHistogram } from 'hdr-histogram-js';
import pg from 'pg';
import { Pool } from 'undici';
import { migrate } from '../reference-store/src/db/migrate.js';
import { seedStore } from '../reference-store/src/db/seed.js';
import { createLatencyHistogram, percentileMs, recordLatencyMs } from '../src/loadgen/latency-histogram.js';
import { alignTable } from '../src/core/text-table.js';
import { startPostgresCluster, type PostgresCluster } from '../test/helpers/postgres-cluster.js';

const closedClients = 16;
const warmupMs = 2_000;
const measureMs = 10_000;
const openMs = 10_000;
const openRate = { pglite: 100, postgres: 300 } as const;
/** Pre-filled carts per store: more than both loops can use at the PostgreSQL ceiling. */
const storeCarts = 40_000;
const pgbenchClients = 8;
const pgbenchSeconds = 10;
/** Pre-filled carts per pgbench client, taken in order by a per-client counter. */
const pgbenchCartsPerClient = 15_000;
const pgbenchClientStride = 1_000_000;
const decayWarning = 0.8;
/** The store's seed and catalog size, for `store serve` and for the PostgreSQL databases seeded here. */
const storeSeed = 1;
const storeProducts = 2000;
/** Carts hold products p-00001… of the first this many (fewer than the catalog). */
const cartProducts = Math.min(300, storeProducts);
const storeStartTimeoutMs = 120_000;
const storeStopTimeoutMs = 10_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const cliPath = join(root, 'dist', 'shopsre.js');
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** One line of the final table. */
interface Row {
  readonly database: string;
  readonly run: string;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly statuses: ReadonlyMap<string, number>;
  /** Throughput of the first and last 2 measured seconds (closed loops only). */
  readonly decay?: { readonly first: number; readonly last: number };
  /** CPU per checkout (µs) of each process that took part. */
  readonly cpu: CpuPerCheckout;
}

interface CpuPerCheckout {
  /** The `store serve` process: store, vendor simulators (and PGlite on PGlite). */
  readonly storeUs?: number;
  /** This process: the load generator. */
  readonly loadgenUs?: number;
  readonly pgbenchUs?: number;
  /** The whole PostgreSQL cluster. */
  readonly postgresUs?: number;
}

/** Status counts, a sample answer for each status other than 201, and the latency histogram. */
interface Tally {
  readonly statuses: Map<string, number>;
  readonly samples: Map<string, string>;
  readonly histogram: JsHistogram;
  responses: number;
}

interface Outcome {
  readonly status: string;
  readonly detail?: string;
}

/** CPU microseconds so far of this process, of the store process and (when known) of PostgreSQL. */
interface CpuSample {
  readonly at: number;
  readonly loadgenUs: number;
  readonly storeUs: number;
  readonly postgresUs?: number;
}

/** A `store serve` child process. */
interface StoreProcess {
  readonly label: string;
  readonly pid: number;
  readonly url: string;
  /** Where the bench's SQL setup connects (for PGlite, its socket inside the store process). */
  readonly databaseUrl: string;
  stop(): Promise<void>;
}

const checkoutBody = JSON.stringify({ paymentToken: 'tok_visa' });

function progress(message: string): void {
  process.stderr.write(`[store-checkout] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc
// ---------------------------------------------------------------------------------------------

/** Fields of /proc/PID/stat after the command name; index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const ticksToUs = (ticks: number): number => (ticks * 1e6) / clockTicks;
const field = (fields: readonly string[], n: number): number => Number(fields[n - 3] ?? 0);

/** utime + stime of one live process; NaN once it is gone. */
function processCpuUs(pid: number): number {
  const fields = statFields(pid);
  return fields ? ticksToUs(field(fields, 14) + field(fields, 15)) : Number.NaN;
}

/** Children of this process that have exited and been waited for (pgbench; the stores exit before it runs). */
function waitedChildrenCpuUs(): number {
  const fields = statFields('self') ?? [];
  return ticksToUs(field(fields, 16) + field(fields, 17));
}

/**
 * The whole server: the postmaster with the backends it has reaped (cutime, cstime), plus every live
 * child (backends, checkpointer, WAL writer…), so connections that come and go are counted too.
 */
function postgresCpuUs(postmaster: number): number {
  const own = statFields(postmaster) ?? [];
  let ticks = field(own, 14) + field(own, 15) + field(own, 16) + field(own, 17);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && field(fields, 4) === postmaster) ticks += field(fields, 14) + field(fields, 15);
  }
  return ticksToUs(ticks);
}

function postmasterPid(cluster: PostgresCluster): number {
  const pid = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no postmaster pid');
  return pid;
}

function cpuSampler(storePid: number, postmaster?: number): () => CpuSample {
  return () => {
    const { user, system } = process.cpuUsage();
    return {
      at: performance.now(),
      loadgenUs: user + system,
      storeUs: processCpuUs(storePid),
      ...(postmaster === undefined ? {} : { postgresUs: postgresCpuUs(postmaster) }),
    };
  };
}

/** CPU per answer over the sampled window, given the answers/s measured in (about) that window. */
function cpuPerCheckout(start: CpuSample, end: CpuSample, rate: number): CpuPerCheckout {
  const checkouts = Math.max(1, (rate * (end.at - start.at)) / 1000);
  const postgres =
    start.postgresUs === undefined || end.postgresUs === undefined
      ? {}
      : { postgresUs: (end.postgresUs - start.postgresUs) / checkouts };
  return {
    storeUs: (end.storeUs - start.storeUs) / checkouts,
    loadgenUs: (end.loadgenUs - start.loadgenUs) / checkouts,
    ...postgres,
  };
}

// ---------------------------------------------------------------------------------------------
// Database preparation
// ---------------------------------------------------------------------------------------------

async function runSql(url: string, statements: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Big stock and one-item carts for `session:s1`…`session:sN`; ANALYZE so the planner knows the carts
 * exist (as autovacuum would tell it in a real store).
 */
function storeCartsSql(carts: number): string[] {
  return [
    'update inventory set stock = 1000000, initial_stock = 1000000',
    `insert into cart_items (cart_key, product_id, quantity)
     select 'session:s' || g, 'p-' || lpad((g % ${cartProducts} + 1)::text, 5, '0'), 1 from generate_series(1, ${carts}) g`,
    'analyze cart_items',
    'analyze inventory',
  ];
}

/** The same for pgbench (its own database): client c takes carts `session:<c × stride + n>`, n = 1, 2, … */
function pgbenchCartsSql(): string[] {
  return [
    'update inventory set stock = 1000000, initial_stock = 1000000',
    `insert into cart_items (cart_key, product_id, quantity)
     select 'session:' || (c * ${pgbenchClientStride} + n), 'p-' || lpad(((c * ${pgbenchClientStride} + n) % ${cartProducts} + 1)::text, 5, '0'), 1
     from generate_series(0, ${pgbenchClients - 1}) c, generate_series(1, ${pgbenchCartsPerClient}) n`,
    'analyze cart_items',
    'analyze inventory',
  ];
}

/** Migrates and seeds one database as `store serve` would (same seed and products), then copies it for each name. */
async function seededDatabases(cluster: PostgresCluster, names: readonly string[]): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: await cluster.createDatabase('seeded'), max: 1 });
  try {
    await migrate(pool);
    await seedStore(pool, { seed: storeSeed, products: storeProducts });
  } finally {
    await pool.end();
  }
  const urls: string[] = [];
  for (const name of names) {
    await cluster.query(`create database ${name} template seeded`);
    urls.push(cluster.url.replace(/\/postgres$/, `/${name}`));
  }
  return urls;
}

// ---------------------------------------------------------------------------------------------
// Load against the store
// ---------------------------------------------------------------------------------------------

function newTally(): Tally {
  return { statuses: new Map(), samples: new Map(), histogram: createLatencyHistogram(), responses: 0 };
}

function record(tally: Tally, outcome: Outcome, latencyMs: number): void {
  tally.responses++;
  tally.statuses.set(outcome.status, (tally.statuses.get(outcome.status) ?? 0) + 1);
  if (outcome.detail !== undefined && !tally.samples.has(outcome.status)) {
    tally.samples.set(outcome.status, outcome.detail);
  }
  recordLatencyMs(tally.histogram, latencyMs);
}

/** Sessions with a pre-filled cart, each used once. */
function sessionCounter(): () => string {
  let next = 0;
  return () => `s${++next}`;
}

async function checkout(pool: Pool, session: string): Promise<Outcome> {
  try {
    const { statusCode, body } = await pool.request({
      path: '/api/checkout',
      method: 'POST',
      headers: {
        'x-session-id': session,
        'idempotency-key': `bench-${session}`,
        'content-type': 'application/json',
      },
      body: checkoutBody,
    });
    if (statusCode === 201) {
      await body.dump();
      return { status: '201' };
    }
    return { status: String(statusCode), detail: (await body.text()).slice(0, 200) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { status: `error ${typeof code === 'string' ? code : 'unknown'}`, detail: String(error) };
  }
}

function newPool(url: string, connections: number): Pool {
  return new Pool(url, { connections, headersTimeout: 15_000, bodyTimeout: 15_000 });
}

/** Mean checkouts/s of the first and the last two seconds. */
function decayOf(perSecond: readonly number[]): { first: number; last: number } {
  const mean = (values: readonly number[]): number =>
    values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return { first: mean(perSecond.slice(0, 2)), last: mean(perSecond.slice(-2)) };
}

/** Closed loop: each client sends the next checkout when the last one answers. */
async function closedLoop(
  url: string,
  nextSession: () => string,
  sample: () => CpuSample,
): Promise<Omit<Row, 'database' | 'run'>> {
  const pool = newPool(url, closedClients);
  const tally = newTally();
  const perSecond = new Array<number>(measureMs / 1000).fill(0);
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + measureMs;
  let cpuStart: CpuSample | undefined;
  let eluStart = performance.eventLoopUtilization();
  const timer = setTimeout(() => {
    cpuStart = sample();
    eluStart = performance.eventLoopUtilization();
  }, warmupMs);
  const client = async (): Promise<void> => {
    while (performance.now() < end) {
      const sent = performance.now();
      const outcome = await checkout(pool, nextSession());
      const done = performance.now();
      if (done < measureFrom || done > end) continue;
      record(tally, outcome, done - sent);
      const second = Math.floor((done - measureFrom) / 1000);
      if (outcome.status === '201' && second < perSecond.length) perSecond[second]! += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: closedClients }, client));
  } finally {
    clearTimeout(timer);
    await pool.close();
  }
  const cpuEnd = sample();
  const elu = performance.eventLoopUtilization(eluStart).utilization;
  const seconds = measureMs / 1000;
  progress(`  paid checkouts per measured second: ${perSecond.join(' ')}`);
  progress(`  load generator event-loop utilisation: ${elu.toFixed(2)}`);
  return {
    rate: (tally.statuses.get('201') ?? 0) / seconds,
    p50: percentileMs(tally.histogram, 50),
    p99: percentileMs(tally.histogram, 99),
    statuses: withSamples(tally),
    decay: decayOf(perSecond),
    cpu: cpuPerCheckout(cpuStart ?? cpuEnd, cpuEnd, tally.responses / seconds),
  };
}

/** Open loop: checkout i is due at start + i / rate, whatever happened to the ones before it. */
async function openLoop(
  url: string,
  nextSession: () => string,
  rate: number,
  sample: () => CpuSample,
): Promise<Omit<Row, 'database' | 'run'>> {
  const pool = newPool(url, 128);
  const tally = newTally();
  const total = Math.round((rate * openMs) / 1000);
  const inFlight: Promise<void>[] = [];
  const cpuStart = sample();
  const start = performance.now() + 5;
  let lastDone = start;
  const dueAt = (i: number): number => start + (i * 1000) / rate;
  try {
    await new Promise<void>((resolve) => {
      let sent = 0;
      const tick = (): void => {
        for (const now = performance.now(); sent < total && dueAt(sent) <= now; sent++) {
          const intended = dueAt(sent);
          inFlight.push(
            checkout(pool, nextSession()).then((outcome) => {
              lastDone = performance.now();
              record(tally, outcome, lastDone - intended);
            }),
          );
        }
        if (sent >= total) resolve();
        else setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
      };
      setTimeout(tick, 5);
    });
    await Promise.all(inFlight);
  } finally {
    await pool.close();
  }
  const achieved = (tally.statuses.get('201') ?? 0) / (Math.max(openMs, lastDone - start) / 1000);
  const cpu = cpuPerCheckout(cpuStart, sample(), tally.responses / ((lastDone - cpuStart.at) / 1000));
  return {
    rate: achieved,
    p50: percentileMs(tally.histogram, 50),
    p99: percentileMs(tally.histogram, 99),
    statuses: withSamples(tally),
    cpu,
  };
}

/** Status counts, with the first answer of each unexpected status printed once for diagnosis. */
function withSamples(tally: Tally): ReadonlyMap<string, number> {
  for (const [status, detail] of tally.samples) progress(`  first ${status} answer: ${detail}`);
  return tally.statuses;
}

// ---------------------------------------------------------------------------------------------
// The store as its own process
// ---------------------------------------------------------------------------------------------

/** Builds dist/ when it is missing or older than the sources it bundles. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .reduce((latest, entry) => Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
  const built = existsSync(cliPath) ? statSync(cliPath).mtimeMs : 0;
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'reference-store', 'src')));
  if (built >= sources) return;
  progress(built === 0 ? 'building dist/ (missing)' : 'building dist/ (older than the sources)');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}

function lastLines(path: string, count: number): string[] {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-count);
  } catch {
    return [];
  }
}

/** Resolves with the first line of the stream; rejects if it ends before one. */
function firstLine(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      done();
      resolve(buffered.slice(0, end));
    };
    const onEnd = (): void => {
      done();
      reject(new Error(`stdout closed before the addresses line${buffered ? `: ${buffered}` : ''}`));
    };
    const done = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.resume();
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

interface ServeAddresses {
  readonly store: string;
  readonly database: string;
  readonly vendors: readonly { name: string; url: string }[];
  readonly startedInMs: number;
}

function parseAddresses(line: string): ServeAddresses {
  const parsed = JSON.parse(line) as Partial<ServeAddresses>;
  if (typeof parsed.store !== 'string' || typeof parsed.database !== 'string') {
    throw new Error(`unexpected addresses line from store serve: ${line}`);
  }
  return parsed as ServeAddresses;
}

/**
 * `node dist/shopsre.js store serve --port 0 --json …`: waits for its addresses line on stdout; its
 * stderr (JSON logs) goes to a file whose last lines are printed if the process dies.
 */
async function spawnStore(
  label: string,
  tmp: string,
  options: { databaseUrl?: string; env?: Readonly<Record<string, string>> },
): Promise<StoreProcess> {
  const logPath = join(tmp, `store-${label.toLowerCase()}.log`);
  const args = [
    ...[cliPath, 'store', 'serve', '--port', '0', '--json'],
    ...['--seed', String(storeSeed), '--products', String(storeProducts)],
    ...(options.databaseUrl === undefined ? [] : ['--database-url', options.databaseUrl]),
  ];
  const log = await open(logPath, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', log.fd],
    });
  } finally {
    await log.close();
  }
  let stopping = false;
  const printLog = (why: string): void => {
    progress(`${label}: the store process ${why}; last lines of its log (${logPath}):`);
    for (const line of lastLines(logPath, 20)) process.stderr.write(`    ${line}\n`);
  };
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`failed: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with ${code}`));
  });
  void exited.then((how) => {
    if (!stopping) printLog(how);
  });
  // Should this process end abruptly, the store must not outlive it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      let timer: NodeJS.Timeout | undefined;
      try {
        const running = child.exitCode === null && child.signalCode === null;
        if (running) child.kill('SIGTERM');
        const how = await Promise.race([
          exited,
          new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), storeStopTimeoutMs);
          }),
        ]);
        if (how === undefined) {
          progress(
            `${label}: the store did not stop within ${storeStopTimeoutMs / 1000} s of SIGTERM: SIGKILL`,
          );
          child.kill('SIGKILL');
          await exited;
        } else if (running && how !== 'exited with 0') {
          printLog(`${how} on SIGTERM`);
        }
      } finally {
        clearTimeout(timer);
        process.off('exit', killOnExit);
      }
      reportLoggedProblems(label, logPath);
    })());

  try {
    let timer: NodeJS.Timeout | undefined;
    const line = await Promise.race([
      firstLine(child.stdout!),
      exited.then((how) => Promise.reject(new Error(`store serve ${how} before it was ready`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`store serve not ready within ${storeStartTimeoutMs / 1000} s`)),
          storeStartTimeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const addresses = parseAddresses(line);
    return {
      label,
      pid: child.pid!,
      url: addresses.store,
      databaseUrl: options.databaseUrl ?? addresses.database,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Counts the store's warning and error lines, printing the first few. */
function reportLoggedProblems(label: string, logPath: string): void {
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return;
  }
  const problems = text.split('\n').filter((line) => /^(warn|error) |"level":"(warn|error)"/.test(line));
  if (problems.length === 0) return;
  for (const line of problems.slice(0, 5)) process.stderr.write(`    ${line}\n`);
  progress(`${label}: the store logged ${problems.length} warning or error lines`);
}

async function withStore<T>(
  label: string,
  tmp: string,
  options: { databaseUrl?: string; env?: Readonly<Record<string, string>> },
  body: (store: StoreProcess) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const store = await spawnStore(label, tmp, options);
  progress(
    `${label}: store process ${store.pid} up in ${((performance.now() - started) / 1000).toFixed(1)} s at ${store.url}`,
  );
  try {
    return await body(store);
  } finally {
    await store.stop();
  }
}

/** Prepares the store's carts, then runs the closed loop and the open loop against it. */
async function benchStore(
  database: string,
  store: StoreProcess,
  rate: number,
  postmaster?: number,
): Promise<Row[]> {
  await runSql(store.databaseUrl, storeCartsSql(storeCarts));
  const sample = cpuSampler(store.pid, postmaster);
  const nextSession = sessionCounter();
  progress(`${database}: closed loop, ${closedClients} clients, ${(warmupMs + measureMs) / 1000} s`);
  const closed = await closedLoop(store.url, nextSession, sample);
  progress(`${database}: open loop at ${rate}/s for ${openMs / 1000} s`);
  const open = await openLoop(store.url, nextSession, rate, sample);
  return [
    { database, run: `store, closed loop ×${closedClients}`, ...closed },
    { database, run: `store, open loop ${rate}/s`, ...open },
  ];
}

// ---------------------------------------------------------------------------------------------
// pgbench with the store's SQL
// ---------------------------------------------------------------------------------------------

const orderColumns =
  'id, idempotency_key, request_hash, cart_key, segment, status, failure_reason, total_cents, currency, payment_provider, payment_intent_id, created_at, updated_at';

/**
 * One checkout as order-repository.ts runs it: `reserve` (one transaction: the order, the cart read
 * with its stock rows locked, which feeds the next statement through \gset as its rows feed the
 * store's, then stock, items and total in one statement), the payment (not here), then `markPaid`
 * (one statement with data-modifying CTEs). Carts are pre-filled; `n` counts each client's checkouts.
 * Keep it in step with order-repository.ts: the ratio means nothing if the SQL differs.
 */
function pgbenchScript(): string {
  const order = `'ord_pgb_' || :g`;
  // Not 'session:pgb…': pgbench would take `:pgb` inside the literal for a variable.
  const cart = `'session:' || :g`;
  const attempts = `unnest(array['primary']::text[], array[1]::int[], array['succeeded']::text[], array['pi_pgb_' || :g]::text[], array[null]::text[]) as a(provider, attempt, status, intent_id, error)`;
  return `\\set n :n + 1
\\set g :client_id * ${pgbenchClientStride} + :n
begin;
insert into orders (id, idempotency_key, request_hash, cart_key, segment, status, total_cents, currency) values (${order}, 'pgb-' || :g, 'pgbench', ${cart}, 'guest', 'pending', 0, 'usd') on conflict (idempotency_key) do nothing;
select c.product_id, c.quantity, p.price_cents, i.stock from cart_items c join products p on p.id = c.product_id join inventory i on i.product_id = c.product_id where c.cart_key = ${cart} order by c.product_id for update of i \\gset
\\set total :quantity * :price_cents
with reserved as (update inventory i set stock = i.stock - w.quantity from unnest(array[:product_id]::text[], array[:quantity]::int[]) as w(product_id, quantity) where i.product_id = w.product_id returning i.product_id), items as (insert into order_items (order_id, product_id, quantity, unit_price_cents) select ${order}, * from unnest(array[:product_id]::text[], array[:quantity]::int[], array[:price_cents]::int[]) returning 1) update orders set total_cents = :total where id = ${order} returning ${orderColumns};
commit;
with paid as (update orders set status = 'paid', payment_provider = 'primary', payment_intent_id = 'pi_pgb_' || :g, failure_reason = null, updated_at = now() where id = ${order} and status = any(array['pending']::text[]) returning ${orderColumns}), event as (insert into outbox (aggregate_id, event_type, payload) select id, 'order.paid', json_build_object('orderId', id, 'totalCents', total_cents, 'currency', currency, 'provider', payment_provider) from paid on conflict (aggregate_id, event_type) do nothing returning 1), cleared as (delete from cart_items c using paid where c.cart_key = paid.cart_key and c.product_id in (select product_id from order_items where order_id = paid.id) returning 1), attempts as (insert into payments (order_id, provider, attempt, status, intent_id, error) select s.id, a.* from paid s, ${attempts} returning 1) select * from paid;
`;
}

/** Per-transaction latencies (µs) and per-second counts from pgbench's `-l` logs. */
async function readPgbenchLogs(dir: string): Promise<{ histogram: JsHistogram; perSecond: number[] }> {
  const histogram = createLatencyHistogram();
  const ends: number[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.startsWith('tx.'))) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      // client_id transaction_no time script_no time_epoch time_us
      const [, , time, , epoch, us] = line.split(' ');
      const latencyUs = Number(time);
      if (!Number.isFinite(latencyUs) || line === '') continue;
      recordLatencyMs(histogram, latencyUs / 1000);
      ends.push(Number(epoch) * 1e6 + Number(us));
    }
  }
  const first = Math.min(...ends);
  const perSecond = new Array<number>(pgbenchSeconds).fill(0);
  for (const end of ends) {
    const second = Math.floor((end - first) / 1e6);
    if (second < pgbenchSeconds) perSecond[second]! += 1;
  }
  return { histogram, perSecond };
}

async function runPgbench(
  cluster: PostgresCluster,
  url: string,
  dir: string,
  postmaster: number,
): Promise<Row> {
  await runSql(url, pgbenchCartsSql());
  const script = join(dir, 'checkout.sql');
  await writeFile(script, pgbenchScript());
  const args = [
    ...['-n', '-M', 'prepared', '-c', String(pgbenchClients), '-j', '2', '-T', String(pgbenchSeconds)],
    ...['-D', 'n=0', '-f', script, '-l', '--log-prefix', join(dir, 'tx'), url],
  ];
  progress(`PostgreSQL: pgbench ${args.slice(0, 9).join(' ')}`);
  const pgbenchUs = waitedChildrenCpuUs();
  const postgresUs = postgresCpuUs(postmaster);
  const { stdout } = await promisify(execFile)(join(cluster.bin, 'pgbench'), args, {
    cwd: dir,
    timeout: (pgbenchSeconds + 30) * 1000,
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`pgbench failed: ${error.stderr || error.stdout || error.message}`);
  });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  const transactions = Number(/actually processed: (\d+)/.exec(stdout)?.[1] ?? 0);
  const { histogram, perSecond } = await readPgbenchLogs(dir);
  const paid = await paidPgbenchOrders(url);
  const statuses = new Map<string, number>([['committed', transactions]]);
  if (failed > 0) statuses.set('failed', failed);
  if (paid !== transactions) statuses.set('not paid with items', transactions - paid);
  return {
    database: 'PostgreSQL',
    run: `pgbench, same SQL, -c ${pgbenchClients}`,
    rate: tps,
    p50: percentileMs(histogram, 50),
    p99: percentileMs(histogram, 99),
    statuses,
    decay: decayOf(perSecond),
    cpu: {
      pgbenchUs: (waitedChildrenCpuUs() - pgbenchUs) / Math.max(1, transactions),
      postgresUs: (postgresCpuUs(postmaster) - postgresUs) / Math.max(1, transactions),
    },
  };
}

/** Checks that each pgbench transaction did what a checkout does: a paid order with its item. */
async function paidPgbenchOrders(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ paid: string }>(
      `select count(*) as paid from orders o where o.id like 'ord_pgb_%' and o.status = 'paid' and o.total_cents > 0
       and exists (select 1 from order_items i where i.order_id = o.id)
       and exists (select 1 from payments p where p.order_id = o.id)`,
    );
    return Number(rows[0]?.paid ?? 0);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The two databases, the table, and main
// ---------------------------------------------------------------------------------------------

async function benchPglite(tmp: string): Promise<Row[]> {
  // A fresh template cache: the first start builds the seeded PGlite template (5–10 s).
  return withStore('PGlite', tmp, { env: { XDG_CACHE_HOME: join(tmp, 'cache') } }, (store) =>
    benchStore('PGlite', store, openRate.pglite),
  );
}

async function benchPostgres(tmp: string, rows: Row[]): Promise<void> {
  progress('PostgreSQL: starting a throwaway cluster (fsync on) and seeding');
  const cluster = await startPostgresCluster({ fsync: true, maxConnections: 50 });
  try {
    const [storeUrl, pgbenchUrl] = await seededDatabases(cluster, ['store', 'pgbench']);
    const postmaster = postmasterPid(cluster);
    rows.push(
      ...(await withStore('PostgreSQL', tmp, { databaseUrl: storeUrl! }, (store) =>
        benchStore('PostgreSQL', store, openRate.postgres, postmaster),
      )),
    );
    rows.push(await runPgbench(cluster, pgbenchUrl!, tmp, postmaster));
  } finally {
    await cluster.destroy();
  }
}

const fixed = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

function statusText(statuses: ReadonlyMap<string, number>): string {
  return [...statuses].map(([status, count]) => `${status}:${count}`).join(' ');
}

const loadText = (): string => loadavg()[0]!.toFixed(1);

function printTable(rows: readonly Row[], loadAtStart: string): void {
  const lines = alignTable(
    [
      'database',
      'run',
      'ops/s',
      'p50 ms',
      'p99 ms',
      'first→last 2 s',
      'answers',
      'store CPU µs/op',
      'load gen CPU µs/op',
      'pgbench CPU µs/op',
      'postgres CPU µs/op',
    ],
    ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right'],
    rows.map((row) => [
      row.database,
      row.run,
      fixed(row.rate),
      fixed(row.p50, 1),
      fixed(row.p99, 1),
      row.decay ? `${fixed(row.decay.first)}→${fixed(row.decay.last)}` : '-',
      statusText(row.statuses),
      fixed(row.cpu.storeUs),
      fixed(row.cpu.loadgenUs),
      fixed(row.cpu.pgbenchUs),
      fixed(row.cpu.postgresUs),
    ]),
  );
  console.log(
    `\nStore checkout on this machine (2 s warm-up, 10 s runs; 1-min load average ${loadAtStart} at start, ${loadText()} at end)`,
  );
  for (const line of lines) console.log(line);
  console.log(
    'ops/s: paid checkouts (201) per second; for pgbench, its TPS (one whole checkout per transaction).',
  );
  console.log(
    'CPU (utime+stime from /proc per checkout): store = the `store serve` process (store + vendor simulators,' +
      ' + PGlite on PGlite); load gen = this process; postgres = the whole cluster.',
  );
  for (const row of rows) {
    if (row.decay && row.decay.last < decayWarning * row.decay.first) {
      console.log(
        `DECAY: ${row.database} ${row.run}: last 2 s at ${fixed(row.decay.last)}/s, first 2 s at ${fixed(row.decay.first)}/s`,
      );
    }
  }
  printRatio(rows);
}

function printRatio(rows: readonly Row[]): void {
  const store = rows.find((row) => row.database === 'PostgreSQL' && row.run.includes('closed'));
  const pgbench = rows.find((row) => row.run.startsWith('pgbench'));
  if (!store || !pgbench) return;
  const ratio = store.rate / pgbench.rate;
  console.log(
    `store ÷ pgbench on PostgreSQL: ${fixed(store.rate)} / ${fixed(pgbench.rate)} = ${ratio.toFixed(2)}×` +
      `  (goal ≥ 0.5×: ${ratio >= 0.5 ? 'met' : 'MISSED'})`,
  );
  console.log(
    '  the store also serves HTTP and makes one HTTP call per checkout to the payment vendor simulator (5 ms' +
      ' processing, in the store process); pgbench runs the same SQL alone, with the whole machine.',
  );
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'shopsre-bench-checkout-'));
  const rows: Row[] = [];
  const loadAtStart = loadText();
  try {
    ensureBuilt();
    rows.push(...(await benchPglite(tmp)));
    await benchPostgres(tmp, rows);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    if (existsSync(tmp)) progress(`could not remove ${tmp}`);
    printTable(rows, loadAtStart);
  }
}

await main();
