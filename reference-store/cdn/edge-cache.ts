import { Hono, type Context } from 'hono';
import { ifNoneMatchMatches, sharedMaxAgeSeconds } from './http-caching.js';
import { listenApp, type ListeningServer } from '../src/http/listen.js';
import { createLruCache } from './lru-cache.js';
import { createOriginClient } from './origin-client.js';

export interface EdgeCacheOptions {
  /** Base URL of the origin, or of a fault proxy in front of it. */
  readonly originUrl: string;
  /** Freshness and `age` are read from this. Default: the system clock. */
  readonly clock?: { now(): number };
  /** Time for the origin's whole answer before it counts as a timeout (504). Default 2000. */
  readonly originTimeoutMs?: number;
  /** Cached responses kept; the least recently used goes first. Default 10_000. */
  readonly maxEntries?: number;
  /** How long past expiry a copy may stand in for a failing origin (RFC 5861). Default 300. */
  readonly staleIfErrorSeconds?: number;
}

/**
 * Answers by `x-cache` (a 502 or 504 is a MISS), failed trips to the origin, and requests that
 * joined another's trip instead of making their own.
 */
export interface EdgeCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly stale: number;
  readonly originErrors: number;
  readonly coalesced: number;
}

export interface EdgeCache {
  readonly app: Hono;
  /** Closing the server also closes the edge's connections to the origin. */
  listen(port?: number, host?: string): Promise<ListeningServer>;
  stats(): EdgeCacheStats;
  /** Drops every cached copy, fresh or stale. */
  purge(): void;
}

type XCache = 'HIT' | 'MISS' | 'STALE';

interface CachedAsset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly headers: Readonly<Record<string, string>>;
  readonly storedAtMs: number;
  readonly maxAgeMs: number;
}

/** What one trip to the origin produced; every request coalesced onto the trip gets the same. */
type Fetched =
  | { readonly kind: 'stored' | 'revalidated'; readonly entry: CachedAsset }
  | {
      readonly kind: 'uncacheable';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: Uint8Array<ArrayBuffer>;
    }
  | { readonly kind: 'failed'; readonly error: 'status' | 'timeout' | 'connection' };

/**
 * The store's CDN edge: an in-memory shared cache in front of the asset origin, reached over HTTP
 * so chaos can slow it down or break it. A revalidated copy (the origin answered 304) is a HIT: its
 * bytes came from the cache, and the x-cache header stays the three values dashboards group by.
 */
export function createEdgeCache(options: EdgeCacheOptions): EdgeCache {
  const clock = options.clock ?? { now: () => Date.now() };
  const staleIfErrorMs = (options.staleIfErrorSeconds ?? 300) * 1000;
  const origin = createOriginClient(options.originUrl, options.originTimeoutMs ?? 2000);
  const cache = createLruCache<CachedAsset>(options.maxEntries ?? 10_000);
  const inFlight = new Map<string, Promise<Fetched>>();
  const counts = { hits: 0, misses: 0, stale: 0, originErrors: 0, coalesced: 0 };

  const fetchFromOrigin = async (key: string, cached: CachedAsset | undefined): Promise<Fetched> => {
    const answer = await origin.get(key, cached?.headers.etag);
    if (answer.kind === 'failed' || answer.status >= 500) {
      counts.originErrors++;
      return { kind: 'failed', error: answer.kind === 'failed' ? answer.error : 'status' };
    }
    const storedAtMs = clock.now();
    const maxAgeSeconds = sharedMaxAgeSeconds(answer.headers['cache-control']);
    if (answer.status === 304 && cached) {
      const entry: CachedAsset = {
        body: cached.body,
        // RFC 9111 §4.3.4: the 304's headers update the stored ones.
        headers: { ...cached.headers, ...answer.headers },
        storedAtMs,
        maxAgeMs: maxAgeSeconds === undefined ? cached.maxAgeMs : maxAgeSeconds * 1000,
      };
      cache.set(key, entry);
      return { kind: 'revalidated', entry };
    }
    if (answer.status !== 200 || maxAgeSeconds === undefined) {
      return { kind: 'uncacheable', status: answer.status, headers: answer.headers, body: answer.body };
    }
    const entry: CachedAsset = {
      body: answer.body,
      headers: answer.headers,
      storedAtMs,
      maxAgeMs: maxAgeSeconds * 1000,
    };
    cache.set(key, entry);
    return { kind: 'stored', entry };
  };

  // Registered before the first await, so requests arriving in the same tick join this trip too.
  const fetchOnce = (key: string, cached: CachedAsset | undefined): Promise<Fetched> => {
    const pending = inFlight.get(key);
    if (pending) {
      counts.coalesced++;
      return pending;
    }
    const trip = fetchFromOrigin(key, cached).finally(() => inFlight.delete(key));
    inFlight.set(key, trip);
    return trip;
  };

  const fromCache = (c: Context, entry: CachedAsset, xCache: XCache): Response => {
    counts[xCache === 'HIT' ? 'hits' : xCache === 'MISS' ? 'misses' : 'stale']++;
    const ageSeconds = Math.max(0, Math.floor((clock.now() - entry.storedAtMs) / 1000));
    const headers = { ...entry.headers, 'x-cache': xCache, age: String(ageSeconds) };
    const etag = entry.headers.etag;
    if (etag !== undefined && ifNoneMatchMatches(c.req.header('if-none-match'), etag)) {
      return c.body(null, 304, headers);
    }
    return c.body(entry.body, 200, headers);
  };

  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok'));
  // Hono answers HEAD with this GET route and drops the body.
  app.get('/assets/*', async (c) => {
    const { pathname, search } = new URL(c.req.url);
    const key = pathname + search;
    const cached = cache.get(key);
    if (cached && clock.now() < cached.storedAtMs + cached.maxAgeMs) return fromCache(c, cached, 'HIT');
    const fetched = await fetchOnce(key, cached);
    switch (fetched.kind) {
      case 'stored':
        return fromCache(c, fetched.entry, 'MISS');
      case 'revalidated':
        return fromCache(c, fetched.entry, 'HIT');
      case 'uncacheable':
        counts.misses++;
        return new Response(fetched.body.length > 0 ? fetched.body : null, {
          status: fetched.status,
          headers: { ...fetched.headers, 'x-cache': 'MISS' },
        });
      case 'failed': {
        if (cached && clock.now() < cached.storedAtMs + cached.maxAgeMs + staleIfErrorMs) {
          return fromCache(c, cached, 'STALE');
        }
        counts.misses++;
        const timedOut = fetched.error === 'timeout';
        return c.json(
          { error: timedOut ? 'origin_timeout' : 'origin_error', cause: fetched.error },
          timedOut ? 504 : 502,
          { 'x-cache': 'MISS' },
        );
      }
    }
  });
  app.all('/assets/*', (c) => c.json({ error: 'method_not_allowed' }, 405, { allow: 'GET, HEAD' }));

  return {
    app,
    listen: async (port = 0, host = '127.0.0.1') => {
      const server = await listenApp(app, port, host);
      return {
        ...server,
        async close(drainMs?: number) {
          await server.close(drainMs);
          await origin.close();
        },
      };
    },
    stats: () => ({ ...counts }),
    purge: () => cache.clear(),
  };
}
