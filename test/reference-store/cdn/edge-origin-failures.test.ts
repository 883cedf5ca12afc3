import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAssetOrigin } from '../../../reference-store/cdn/asset-origin.js';
import { createEdgeCache } from '../../../reference-store/cdn/edge-cache.js';
import type { ListeningServer } from '../../../reference-store/src/http/listen.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

type Behaviour = 'ok' | 'error' | 'hang';

/** An origin that serves one cacheable asset, then fails or hangs when told to. */
async function startScriptedOrigin(initial: Behaviour): Promise<{ url: string; set(next: Behaviour): void }> {
  let behaviour = initial;
  const server: Server = createServer((request, response) => {
    request.resume();
    if (behaviour === 'hang') return;
    if (behaviour === 'error') {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      return;
    }
    response
      .writeHead(200, { 'content-type': 'text/css', etag: '"v1"', 'cache-control': 'public, max-age=60' })
      .end('body { color: red; }');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, set: (next) => (behaviour = next) };
}

async function startEdge(originUrl: string) {
  let nowMs = 1_000_000;
  const edge = createEdgeCache({
    originUrl,
    clock: { now: () => nowMs },
    originTimeoutMs: 100,
    staleIfErrorSeconds: 300,
  });
  const server: ListeningServer = await edge.listen();
  closers.push(() => server.close());
  const get = async (path = '/assets/site.css') => {
    const response = await fetch(server.url + path);
    return { status: response.status, xCache: response.headers.get('x-cache'), body: await response.text() };
  };
  return { edge, get, advance: (seconds: number) => (nowMs += seconds * 1000) };
}

describe('edge cache when the origin fails', () => {
  it('serves the expired copy as STALE when the origin has stopped', async () => {
    const origin = createAssetOrigin();
    const originServer = await origin.listen();
    const { edge, get, advance } = await startEdge(originServer.url);
    const fresh = await get('/assets/css/site.css');

    await originServer.close();
    advance(61);
    expect(await get('/assets/css/site.css')).toEqual({ status: 200, xCache: 'STALE', body: fresh.body });
    expect(edge.stats()).toMatchObject({ stale: 1, originErrors: 1 });
  });

  it('serves the expired copy as STALE when the origin answers 500', async () => {
    const origin = await startScriptedOrigin('ok');
    const { edge, get, advance } = await startEdge(origin.url);
    await get();

    origin.set('error');
    advance(61);
    expect(await get()).toEqual({ status: 200, xCache: 'STALE', body: 'body { color: red; }' });
    expect(edge.stats()).toMatchObject({ stale: 1, originErrors: 1 });

    // This origin ignores If-None-Match, so its recovery is a fresh 200.
    origin.set('ok');
    expect(await get()).toMatchObject({ status: 200, xCache: 'MISS' });
    expect(await get()).toMatchObject({ status: 200, xCache: 'HIT' });
  });

  it('serves the expired copy as STALE when the origin does not answer within originTimeoutMs', async () => {
    const origin = await startScriptedOrigin('ok');
    const { get, advance } = await startEdge(origin.url);
    await get();

    origin.set('hang');
    advance(61);
    expect(await get()).toMatchObject({ status: 200, xCache: 'STALE' });
  });

  it('answers 502 once the copy is older than staleIfErrorSeconds past expiry', async () => {
    const origin = await startScriptedOrigin('ok');
    const { get, advance } = await startEdge(origin.url);
    await get();

    origin.set('error');
    advance(60 + 300);
    expect(await get()).toMatchObject({ status: 502, xCache: 'MISS' });
  });

  it('answers 502 with a JSON body for an origin error and no copy', async () => {
    const origin = await startScriptedOrigin('error');
    const { edge, get } = await startEdge(origin.url);
    const answer = await get();
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ error: 'origin_error', cause: 'status' });
    expect(edge.stats()).toMatchObject({ originErrors: 1, stale: 0 });
  });

  it('answers 502 when nothing listens at the origin URL', async () => {
    const origin = createAssetOrigin();
    const originServer = await origin.listen();
    await originServer.close();
    const { get } = await startEdge(originServer.url);
    const answer = await get();
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ error: 'origin_error', cause: 'connection' });
  });

  it('answers 504 with a JSON body for an origin timeout and no copy', async () => {
    const origin = await startScriptedOrigin('hang');
    const { get } = await startEdge(origin.url);
    const answer = await get();
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body)).toEqual({ error: 'origin_timeout', cause: 'timeout' });
  });
});
