import { Hono } from 'hono';
import { Pool } from 'undici';
import type { StoreEnv } from '../http/env.js';
import { Problem } from '../http/problem.js';

export interface AssetProxy {
  readonly routes: Hono<StoreEnv>;
  close(): Promise<void>;
}

const passedHeaders = ['content-type', 'etag', 'cache-control', 'age', 'x-cache', 'last-modified'];

/**
 * `/assets/*` through the CDN edge, as a shopper's browser would fetch them. The store only relays,
 * so CDN slowness and origin errors (injected between edge and origin) show up on its own route.
 */
export function assetProxy(edgeUrl: string, timeoutMs = 3000): AssetProxy {
  const edge = new URL(edgeUrl);
  const pool = new Pool(edge.origin, { connections: 32, keepAliveTimeout: 10_000 });
  const prefix = edge.pathname.replace(/\/$/, '');
  const routes = new Hono<StoreEnv>();
  routes.on(['GET', 'HEAD'], '/assets/*', async (c) => {
    const url = new URL(c.req.url);
    const headers: Record<string, string> = {};
    const conditional = c.req.header('if-none-match');
    if (conditional) headers['if-none-match'] = conditional;
    let response;
    try {
      response = await pool.request({
        method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
        path: `${prefix}${url.pathname}${url.search}`,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && /abort|timeout/i.test(`${error.name} ${error.message}`);
      throw timedOut
        ? new Problem(504, 'cdn-timeout', `the CDN did not answer within ${timeoutMs} ms`)
        : new Problem(502, 'cdn-unreachable', 'the CDN could not be reached');
    }
    const body = Buffer.from(await response.body.arrayBuffer());
    const out = new Headers();
    for (const name of passedHeaders) {
      const value = response.headers[name];
      if (typeof value === 'string') out.set(name, value);
    }
    const status = response.statusCode;
    return new Response(status === 304 || c.req.method === 'HEAD' ? null : body, { status, headers: out });
  });
  return { routes, close: () => pool.close() };
}
