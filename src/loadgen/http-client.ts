import { Pool } from 'undici';
import type { ErrorKind } from './results.js';

/** One request as the journey sends it; origin and path apart so no URL is parsed per request. */
export interface HttpRequest {
  /** `http://host:port`, without a path. */
  readonly origin: string;
  /** Path and query, e.g. `/api/products?limit=20`. */
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text; sent with `content-type: application/json`. */
  readonly body?: string;
  /** Parse the answer as JSON (true), or read and discard it, which is cheaper (false). */
  readonly readJson: boolean;
  /**
   * Time allowed for the answer's headers, and again between chunks of its body. undici checks these
   * timers every half second, so a timeout fires up to about a second late: fine for timeouts of
   * seconds, and it costs no timer of our own per request on the hot path.
   */
  readonly timeoutMs: number;
  /** The run's signal: when it aborts, the request stops and its outcome is `aborted`. */
  readonly signal: AbortSignal;
}

export type HttpOutcome =
  | {
      readonly kind: 'answered';
      readonly status: number;
      /** The parsed body; undefined when not read, empty or not JSON. */
      readonly json: unknown;
    }
  | { readonly kind: 'failed'; readonly error: 'timeout' | 'connection' }
  /** Stopped by the run's end: no outcome to count. */
  | { readonly kind: 'aborted' };

/** What the journey needs from HTTP; tests pass a fake. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpOutcome>;
  close(): Promise<void>;
}

/**
 * undici pools, one per origin, with keep-alive (undici's default) and no pipelining, so one slow
 * answer never holds back another request. Connections are not capped: the executor's in-flight
 * limit is the only bound, so the pool never queues a request and hides a wait from its timing.
 */
export function createHttpClient(options: { readonly connectTimeoutMs: number }): HttpClient {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: null,
        pipelining: 1,
        connect: { timeout: options.connectTimeoutMs },
      });
      pools.set(origin, pool);
    }
    return pool;
  };
  // A signal passed with every request costs undici about 10 µs per request (measured: 25 vs 35 µs),
  // and more as requests pile up on one shared signal. The run's signal is one object, so it is
  // watched once: when it aborts, the pools are destroyed, which ends every request in flight.
  const watched = new WeakSet<AbortSignal>();
  const watch = (signal: AbortSignal): void => {
    if (watched.has(signal)) return;
    watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        const open = [...pools.values()];
        pools.clear();
        for (const pool of open) void pool.destroy().catch(() => undefined);
      },
      { once: true },
    );
  };
  return {
    async request(request) {
      if (request.signal.aborted) return { kind: 'aborted' };
      watch(request.signal);
      try {
        const answer = await poolFor(request.origin).request({
          path: request.path,
          method: request.method,
          headers: request.body === undefined ? request.headers : { ...request.headers, ...jsonHeader },
          body: request.body ?? null,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        });
        if (!request.readJson) {
          await answer.body.dump();
          return { kind: 'answered', status: answer.statusCode, json: undefined };
        }
        const text = await answer.body.text();
        return { kind: 'answered', status: answer.statusCode, json: parseJson(text) };
      } catch (error) {
        if (request.signal.aborted) return { kind: 'aborted' };
        return { kind: 'failed', error: transportFailure(error) };
      }
    },
    async close() {
      const open = [...pools.values()];
      pools.clear();
      // Pools destroyed by an aborted run are already closed.
      await Promise.all(open.filter((pool) => !pool.destroyed).map((pool) => pool.close()));
    },
  };
}

const jsonHeader = { 'content-type': 'application/json' } as const;

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const timeoutCodes: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A request that failed without an answer. Only a server too slow to answer counts as a timeout; a
 * connection that cannot be opened (refused, reset, unreachable, or a connect timeout against a
 * black-holed address) counts as a connection error, so a run against a dead target reads as
 * unreachable rather than slow.
 */
function transportFailure(error: unknown): 'timeout' | 'connection' {
  return timeoutCodes.has(errorCode(error) ?? '') ? 'timeout' : 'connection';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return typeof code === 'string' ? code : errorCode(cause);
}

/** The error kind of an answer's status: none for 2xx, `check` for a status that is neither 2xx nor an error class. */
export function statusError(status: number): ErrorKind | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status >= 500) return 'http5xx';
  if (status >= 400) return 'http4xx';
  return 'check';
}
