import { afterEach, describe, expect, it } from 'vitest';
import { createAssetOrigin, type AssetOrigin } from '../../../reference-store/cdn/asset-origin.js';
import {
  createEdgeCache,
  type EdgeCache,
  type EdgeCacheOptions,
} from '../../../reference-store/cdn/edge-cache.js';
import type { ListeningServer } from '../../../reference-store/src/http/listen.js';

const servers: ListeningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

interface Cdn {
  readonly origin: AssetOrigin;
  readonly edge: EdgeCache;
  readonly edgeUrl: string;
  /** Moves the edge's clock forward. */
  advance(seconds: number): void;
}

async function startCdn(options: Partial<EdgeCacheOptions> = {}): Promise<Cdn> {
  const origin = createAssetOrigin();
  const originServer = await origin.listen();
  servers.push(originServer);
  let nowMs = 1_000_000;
  const edge = createEdgeCache({ originUrl: originServer.url, clock: { now: () => nowMs }, ...options });
  const edgeServer = await edge.listen();
  servers.push(edgeServer);
  return { origin, edge, edgeUrl: edgeServer.url, advance: (seconds) => (nowMs += seconds * 1000) };
}

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    xCache: response.headers.get('x-cache'),
    age: response.headers.get('age'),
    etag: response.headers.get('etag'),
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}

describe('edge cache', () => {
  it('answers a first request as a MISS from the origin and the next ones as HITs with a growing age', async () => {
    const cdn = await startCdn();
    const path = '/assets/img/product-42.svg';

    const miss = await get(cdn.edgeUrl + path);
    expect(miss).toMatchObject({ status: 200, xCache: 'MISS', age: '0', contentType: 'image/svg+xml' });
    expect(miss.body).toContain('Product 42');

    cdn.advance(30);
    const hit = await get(cdn.edgeUrl + path);
    expect(hit).toMatchObject({ status: 200, xCache: 'HIT', age: '30', etag: miss.etag, body: miss.body });
    expect(cdn.origin.stats().requests).toBe(1);
    expect(cdn.edge.stats()).toEqual({ hits: 1, misses: 1, stale: 0, originErrors: 0, coalesced: 0 });
  });

  it('revalidates an expired copy with If-None-Match, and the 304 makes it fresh for another max-age', async () => {
    const cdn = await startCdn();
    const path = '/assets/css/site.css';
    const miss = await get(cdn.edgeUrl + path);

    cdn.advance(61);
    const revalidated = await get(cdn.edgeUrl + path);
    // A refetched body would be a MISS; the origin's 304 leaves the cached bytes, with age reset.
    expect(revalidated).toMatchObject({ status: 200, xCache: 'HIT', age: '0', body: miss.body });
    expect(cdn.origin.stats().requests).toBe(2);

    cdn.advance(59);
    expect(await get(cdn.edgeUrl + path)).toMatchObject({ xCache: 'HIT', age: '59' });
    expect(cdn.origin.stats().requests).toBe(2);
  });

  it('sends concurrent misses for one path to the origin once', async () => {
    const cdn = await startCdn();
    const answers = await Promise.all(
      // In-process, so all ten reach the edge before the origin can answer the first.
      Array.from({ length: 10 }, async () => cdn.edge.app.request('/assets/js/app.js')),
    );
    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    expect(answers.map((answer) => answer.headers.get('x-cache'))).toEqual(Array(10).fill('MISS'));
    expect(new Set(bodies).size).toBe(1);
    expect(cdn.origin.stats().requests).toBe(1);
    expect(cdn.edge.stats()).toMatchObject({ misses: 10, coalesced: 9 });
  });

  it('passes a 404 through without caching it', async () => {
    const cdn = await startCdn();
    for (let i = 0; i < 2; i++) {
      expect(await get(`${cdn.edgeUrl}/assets/img/missing.png`)).toMatchObject({
        status: 404,
        xCache: 'MISS',
      });
    }
    expect(cdn.origin.stats().requests).toBe(2);
  });

  it('answers HEAD from the cache without a body, and other methods with 405', async () => {
    const cdn = await startCdn();
    await get(`${cdn.edgeUrl}/assets/css/site.css`);
    const head = await get(`${cdn.edgeUrl}/assets/css/site.css`, { method: 'HEAD' });
    expect(head).toMatchObject({
      status: 200,
      xCache: 'HIT',
      contentType: 'text/css; charset=utf-8',
      body: '',
    });

    const post = await fetch(`${cdn.edgeUrl}/assets/css/site.css`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.arrayBuffer();
    expect((await get(`${cdn.edgeUrl}/healthz`)).status).toBe(200);
  });

  it("answers a client's matching If-None-Match with 304", async () => {
    const cdn = await startCdn();
    const { etag } = await get(`${cdn.edgeUrl}/assets/img/product-1.svg`);
    const conditional = await get(`${cdn.edgeUrl}/assets/img/product-1.svg`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(conditional).toMatchObject({ status: 304, xCache: 'HIT', etag, body: '' });
  });

  it('evicts the least recently used copy past maxEntries, and purge drops them all', async () => {
    const cdn = await startCdn({ maxEntries: 2 });
    const image = (id: number) => `${cdn.edgeUrl}/assets/img/product-${id}.svg`;
    await get(image(1));
    await get(image(2));
    await get(image(1));
    await get(image(3));
    expect((await get(image(1))).xCache).toBe('HIT');
    expect((await get(image(2))).xCache).toBe('MISS');

    cdn.edge.purge();
    expect((await get(image(1))).xCache).toBe('MISS');
  });
});
