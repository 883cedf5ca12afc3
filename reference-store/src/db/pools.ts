import pg from 'pg';
import type { Logger } from '../../../src/core/logger.js';
import { UnstorableTextError } from './database-errors.js';

export interface PoolOptions {
  /** Connections in the pool; default 8. */
  readonly max?: number;
  /** Give up acquiring a connection after this long; default 1000 ms, so checkout never hangs on a dead database. */
  readonly connectTimeoutMs?: number;
  /** Client-side bound on one query; default 3000 ms. */
  readonly queryTimeoutMs?: number;
}

export interface StorePools {
  readonly primary: pg.Pool;
  /** Catalog reads go here when a replica is configured. */
  readonly replica: pg.Pool | undefined;
  close(): Promise<void>;
}

export async function createStorePools(
  urls: { readonly primary: string; readonly replica?: string | undefined },
  options: PoolOptions,
  logger: Logger,
): Promise<StorePools> {
  const primary = createPool(
    urls.primary,
    'primary',
    options,
    logger,
    await isSharedSession(urls.primary, options),
  );
  const replica = urls.replica
    ? createPool(urls.replica, 'replica', options, logger, await isSharedSession(urls.replica, options))
    : undefined;
  return {
    primary,
    replica,
    async close() {
      await Promise.all([primary.end(), replica?.end()]);
    },
  };
}

function createPool(
  url: string,
  name: string,
  options: PoolOptions,
  logger: Logger,
  sharedSession: boolean,
): pg.Pool {
  const pool = new pg.Pool({
    ...(sharedSession ? { Client: SimpleProtocolClient } : {}),
    connectionString: url,
    max: options.max ?? 8,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 1000,
    query_timeout: options.queryTimeoutMs ?? 3000,
    idleTimeoutMillis: 30_000,
    // Recycled connections re-plan their cached foreign-key checks as the tables grow.
    maxLifetimeSeconds: 300,
    application_name: `shopsre-store-${name}`,
  });
  // An idle connection cut by the server (failover, restart) must not crash the process.
  pool.on('error', (error) => logger.warn('database connection lost', { pool: name, error: error.message }));
  return pool;
}

/**
 * PGlite over the wire (@electric-sql/pglite-socket) runs every connection in one backend session and
 * queues each protocol *message* on its own. Outside a transaction, the Parse/Bind/Execute of two
 * connections can interleave: one connection then binds its parameters to the other's statement, and
 * named statements collide ("prepared statement already exists"). Seen here as an order stored under
 * another request's key. So on PGlite every query is sent as one simple-protocol message, with its
 * parameters inlined as escaped literals; on PostgreSQL named prepared statements stay (1.6×, NOTES.md).
 */
async function isSharedSession(url: string, options: PoolOptions): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  try {
    await client.connect();
    const result = await client.query<{ version: string }>('select version() as version');
    return /PGlite/.test(result.rows[0]?.version ?? '');
  } finally {
    await client.end().catch(() => undefined);
  }
}

class SimpleProtocolClient extends pg.Client {}
// Called below with the client as `this`, as pg itself calls it.
// eslint-disable-next-line @typescript-eslint/unbound-method
const extendedQuery = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
SimpleProtocolClient.prototype.query = function (this: pg.Client, first: unknown, ...rest: unknown[]) {
  let args: unknown[];
  try {
    args = simpleQuery(first, rest);
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    // Failed as pg fails a query: through its callback when it has one (pg-pool), else its promise.
    const callback = [first, ...rest]
      .map((arg) => (typeof arg === 'object' && arg !== null && 'callback' in arg ? arg.callback : arg))
      .find((arg): arg is (failure: Error) => void => typeof arg === 'function');
    if (!callback) return Promise.reject(error);
    process.nextTick(() => callback(error));
    return undefined;
  }
  return extendedQuery.apply(this, args);
} as typeof pg.Client.prototype.query;

/** The arguments of `query` with the parameters inlined into the text and no statement name. */
function simpleQuery(first: unknown, rest: unknown[]): unknown[] {
  if (typeof first === 'string' && Array.isArray(rest[0])) {
    return [inlineParameters(first, rest[0] as unknown[]), ...rest.slice(1)];
  }
  if (typeof first === 'object' && first !== null && 'text' in first) {
    const config = { ...(first as { text: string; values?: unknown[]; name?: string }) };
    const values = Array.isArray(rest[0]) ? (rest.shift() as unknown[]) : (config.values ?? []);
    const simple: Record<string, unknown> = { ...config, text: inlineParameters(config.text, values) };
    delete simple.name;
    delete simple.values;
    return [simple, ...rest];
  }
  return [first, ...rest];
}

export function inlineParameters(text: string, values: readonly unknown[]): string {
  return text.replace(/(?<![\w$])\$(\d+)/g, (match, index: string) => {
    const i = Number(index) - 1;
    if (i < 0 || i >= values.length)
      throw new RangeError(`query uses ${match} but has ${values.length} values`);
    return sqlLiteral(values[i]);
  });
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return textLiteral(arrayLiteral(value));
  if (value instanceof Date) return textLiteral(value.toISOString());
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`cannot send ${value} to SQL`);
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  ) {
    return textLiteral(String(value));
  }
  return textLiteral(JSON.stringify(value));
}

/**
 * A NUL would end the query text inside the protocol message (PGlite then reports a malformed message,
 * 08P01, which reads as a lost connection); PostgreSQL refuses it in a parameter with 22021.
 */
function textLiteral(text: string): string {
  if (text.includes('\0')) throw new UnstorableTextError();
  return pg.escapeLiteral(text);
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return value.toString();
  return JSON.stringify(value) ?? '';
}

/** PostgreSQL's array input syntax, as pg builds it for parameters. */
function arrayLiteral(items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = item instanceof Date ? item.toISOString() : scalarText(item);
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}
