import { afterEach, describe, expect, it } from 'vitest';
import { createAssetOrigin } from '../../../reference-store/cdn/asset-origin.js';
import type { ListeningServer } from '../../../reference-store/src/http/listen.js';

const servers: ListeningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startOrigin(seed?: number): Promise<string> {
  const server = await createAssetOrigin(seed === undefined ? {} : { seed }).listen();
  servers.push(server);
  return server.url;
}

describe('asset origin', () => {
  it('serves the same bytes and ETag for the same seed, and different ones for another seed or id', async () => {
    const [first, again, otherSeed] = await Promise.all([startOrigin(7), startOrigin(7), startOrigin(8)]);
    const get = async (url: string | undefined, path: string) => {
      const response = await fetch(`${url}${path}`);
      return { body: await response.text(), etag: response.headers.get('etag') };
    };
    const image = await get(first, '/assets/img/product-42.svg');
    expect(await get(again, '/assets/img/product-42.svg')).toEqual(image);
    expect((await get(otherSeed, '/assets/img/product-42.svg')).body).not.toBe(image.body);
    expect((await get(first, '/assets/img/product-43.svg')).etag).not.toBe(image.etag);
    expect(image.body).toMatch(/^<svg .*Product 42.*<\/svg>\n$/s);
    expect(image.etag).toMatch(/^"[\w-]+"$/);
  });

  it('answers each asset with its content type, a strong ETag and a 60 s public max-age', async () => {
    const url = await startOrigin();
    const cases = [
      ['/assets/img/product-1.svg', 'image/svg+xml'],
      ['/assets/css/site.css', 'text/css; charset=utf-8'],
      ['/assets/js/app.js', 'text/javascript; charset=utf-8'],
    ];
    for (const [path, contentType] of cases) {
      const response = await fetch(`${url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(contentType);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
      expect(response.headers.get('etag')).toMatch(/^"/);
      await response.arrayBuffer();
    }
  });

  it('answers a matching If-None-Match with an empty 304, and a stale one with the full asset', async () => {
    const url = await startOrigin();
    const first = await fetch(`${url}/assets/css/site.css`);
    const etag = first.headers.get('etag') ?? '';
    await first.arrayBuffer();

    const notModified = await fetch(`${url}/assets/css/site.css`, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(await notModified.text()).toBe('');

    const weak = await fetch(`${url}/assets/css/site.css`, {
      headers: { 'if-none-match': `"old", W/${etag}` },
    });
    expect(weak.status).toBe(304);

    const changed = await fetch(`${url}/assets/css/site.css`, { headers: { 'if-none-match': '"old"' } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('--accent');
  });

  it('answers 404 outside the generated assets, 200 on /healthz, and counts asset requests only', async () => {
    const origin = createAssetOrigin();
    const server = await origin.listen();
    servers.push(server);
    for (const path of ['/assets/img/product-x.svg', '/assets/css/other.css', '/index.html']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(404);
      await response.arrayBuffer();
    }
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();
    expect(origin.stats()).toEqual({ requests: 2 });
  });
});
