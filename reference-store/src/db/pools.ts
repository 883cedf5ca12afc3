import pg from 'pg';
import type { Logger } from '../../../src/core/logger.js';

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

export function createStorePools(
  urls: { readonly primary: string; readonly replica?: string | undefined },
  options: PoolOptions,
  logger: Logger,
): StorePools {
  const primary = createPool(urls.primary, 'primary', options, logger);
  const replica = urls.replica ? createPool(urls.replica, 'replica', options, logger) : undefined;
  return {
    primary,
    replica,
    async close() {
      await Promise.all([primary.end(), replica?.end()]);
    },
  };
}

function createPool(url: string, name: string, options: PoolOptions, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
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

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections, read_only_sql_transaction
const unavailableSqlStates = new Set(['57P01', '57P02', '57P03', '53300', '25006']);

/**
 * Whether an error means "the database is not there right now" (answer 503 and let the client retry)
 * rather than a bug (answer 500).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (unavailableCodes.has(code) || unavailableSqlStates.has(code) || code.startsWith('08')) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connect ECONNREFUSED|Connection ended/i.test(
    error.message,
  );
}
