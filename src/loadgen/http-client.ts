import { Client, type Dispatcher } from 'undici';
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
 * Keep-alive connections, one set per origin, each connection carrying one request at a time (no
 * pipelining, so one slow answer never holds back another request). Connections are not capped: the
 * executor's in-flight limit is the only bound, so no request ever queues behind another and hides a
 * wait from its timing.
 *
 * Requests go through undici's `dispatch` with a handler object rather than `request`, which builds
 * a promise, a response object and a body stream per request: about 11 µs of CPU per request against
 * a loopback server instead of 18 (50 connections, client on one core; undici's own floor, a
 * callback loop over `dispatch`, is about 10.5 µs).
 */
export function createHttpClient(options: { readonly connectTimeoutMs: number }): HttpClient {
  const origins = new Map<string, Connections>();
  const connectionsTo = (origin: string): Connections => {
    let connections = origins.get(origin);
    if (!connections) origins.set(origin, (connections = new Connections(origin, options.connectTimeoutMs)));
    return connections;
  };
  // A signal passed with every request costs undici about 10 µs per request (measured: 25 vs 35 µs),
  // and more as requests pile up on one shared signal. The run's signal is one object, so it is
  // watched once: when it aborts, every connection is destroyed, which ends every request in flight.
  const watched = new WeakSet<AbortSignal>();
  const watch = (signal: AbortSignal): void => {
    if (watched.has(signal)) return;
    watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        const open = [...origins.values()];
        origins.clear();
        for (const connections of open) connections.destroy();
      },
      { once: true },
    );
  };
  return {
    request(request) {
      if (request.signal.aborted) return Promise.resolve(aborted);
      watch(request.signal);
      return connectionsTo(request.origin).send(request);
    },
    async close() {
      const open = [...origins.values()];
      origins.clear();
      await Promise.all(open.map((connections) => connections.close()));
    },
  };
}

/**
 * The connections to one origin: an undici Client each, and a stack of the idle ones. undici's Pool
 * does the same job but looks for a free client by scanning all of them, twice per request, which
 * cost about 2 µs per request at 50 connections; the stack finds one at once, and hands out the most
 * recently used, whose socket is the likeliest to be still open.
 */
class Connections {
  private readonly idle: Client[] = [];
  private readonly all: Client[] = [];

  constructor(
    private readonly origin: string,
    private readonly connectTimeoutMs: number,
  ) {}

  send(request: HttpRequest): Promise<HttpOutcome> {
    const client = this.idle.pop() ?? this.open();
    return new Promise((settle) => {
      client.dispatch(
        {
          path: request.path,
          method: request.method,
          headers: request.body === undefined ? request.headers : { ...request.headers, ...jsonHeader },
          body: request.body ?? null,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        },
        new Exchange(request, settle, this, client),
      );
    });
  }

  /** Makes a client free for the next request. One whose socket failed reconnects then, so it goes back too. */
  release(client: Client): void {
    if (!client.closed && !client.destroyed) this.idle.push(client);
  }

  destroy(): void {
    for (const client of this.all) void client.destroy().catch(() => undefined);
  }

  async close(): Promise<void> {
    // Clients destroyed by an aborted run are already closed.
    await Promise.all(this.all.filter((client) => !client.destroyed).map((client) => client.close()));
  }

  private open(): Client {
    const client = new Client(this.origin, { pipelining: 1, connect: { timeout: this.connectTimeoutMs } });
    this.all.push(client);
    return client;
  }
}

const aborted: HttpOutcome = { kind: 'aborted' };

/**
 * One request as undici reports on it. It implements undici's older callbacks (onConnect to
 * onComplete) on purpose: undici 7 wraps a handler of the newer ones (onRequestStart to
 * onResponseEnd) in an adapter that parses every answer's headers into an object, about 3 µs per
 * request here, and only the status is read.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private status = 0;
  /** The body's chunks, when the step reads it; otherwise each chunk is dropped as it comes. */
  private readonly chunks: Buffer[] | undefined;
  private readonly signal: AbortSignal;

  constructor(
    request: HttpRequest,
    private readonly settle: (outcome: HttpOutcome) => void,
    private readonly connections: Connections,
    private readonly client: Client,
  ) {
    this.chunks = request.readJson ? [] : undefined;
    this.signal = request.signal;
  }

  onConnect(): void {}

  onHeaders(status: number): boolean {
    // 1xx answers (103 Early Hints) come before the real one.
    if (status >= 200) this.status = status;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    const json = this.chunks ? parseJson(Buffer.concat(this.chunks).toString('utf8')) : undefined;
    this.connections.release(this.client);
    this.settle({ kind: 'answered', status: this.status, json });
  }

  onError(error: Error): void {
    this.connections.release(this.client);
    this.settle(this.signal.aborted ? aborted : { kind: 'failed', error: transportFailure(error) });
  }
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
