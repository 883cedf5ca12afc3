import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { ifNoneMatchMatches } from './http-caching.js';
import { listenApp, type ListeningServer } from '../src/http/listen.js';

export interface AssetOriginOptions {
  /** Varies every generated asset, so two origins can serve different content. Default 1. */
  readonly seed?: number;
}

export interface AssetOrigin {
  readonly app: Hono;
  listen(port?: number, host?: string): Promise<ListeningServer>;
  /** Requests for `/assets/*` answered so far, 304s and 404s included. */
  stats(): { readonly requests: number };
}

interface Asset {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

const cacheControl = 'public, max-age=60';
const productImage = /^\/assets\/img\/product-(\d{1,12})\.svg$/;

/**
 * The store's asset origin: generated product images, a stylesheet and a script, the same bytes for
 * the same seed on every start, so a cached copy and a fresh one can be compared byte for byte.
 */
export function createAssetOrigin(options: AssetOriginOptions = {}): AssetOrigin {
  const seed = options.seed ?? 1;
  let requests = 0;
  const app = new Hono();
  app.get('/healthz', (c) => c.text('ok'));
  app.get('/assets/*', (c) => {
    requests++;
    const asset = assetAt(c.req.path, seed);
    if (!asset) return c.json({ error: 'not_found', path: c.req.path }, 404);
    const headers = { etag: asset.etag, 'cache-control': cacheControl };
    if (ifNoneMatchMatches(c.req.header('if-none-match'), asset.etag)) return c.body(null, 304, headers);
    return c.body(asset.body, 200, { ...headers, 'content-type': asset.contentType });
  });
  return {
    app,
    listen: (port = 0, host = '127.0.0.1') => listenApp(app, port, host),
    stats: () => ({ requests }),
  };
}

function assetAt(path: string, seed: number): Asset | undefined {
  if (path === '/assets/css/site.css') return asset(siteCss(seed), 'text/css; charset=utf-8');
  if (path === '/assets/js/app.js') return asset(appJs(seed), 'text/javascript; charset=utf-8');
  const id = productImage.exec(path)?.[1];
  return id === undefined ? undefined : asset(productSvg(id, seed), 'image/svg+xml');
}

function asset(body: string, contentType: string): Asset {
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return { body, contentType, etag: `"${digest}"` };
}

function productSvg(id: string, seed: number): string {
  const hash = fnv1a(`${seed}:${id}`);
  const background = hash % 360;
  const accent = (background + 120 + ((hash >>> 9) % 120)) % 360;
  const radius = 40 + ((hash >>> 17) % 30);
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">' +
    `<rect width="200" height="200" fill="hsl(${background} 60% 88%)"/>` +
    `<circle cx="100" cy="90" r="${radius}" fill="hsl(${accent} 65% 45%)"/>` +
    `<text x="100" y="185" text-anchor="middle" font-family="sans-serif" font-size="16">Product ${id}</text>` +
    '</svg>\n'
  );
}

function siteCss(seed: number): string {
  const accent = fnv1a(`${seed}:css`) % 360;
  return [
    `:root { --accent: hsl(${accent} 65% 45%); --surface: hsl(${accent} 30% 97%); }`,
    'body { margin: 0; font-family: system-ui, sans-serif; background: var(--surface); }',
    '.product-card img { width: 200px; height: 200px; }',
    '.button-primary { background: var(--accent); color: white; border: 0; border-radius: 4px; }',
    '',
  ].join('\n');
}

function appJs(seed: number): string {
  return [
    `const build = '${fnv1a(`${seed}:js`).toString(16)}';`,
    'document.documentElement.dataset.build = build;',
    "for (const button of document.querySelectorAll('[data-add-to-cart]')) {",
    "  button.addEventListener('click', () => fetch('/api/cart/items', { method: 'POST', body: button.dataset.addToCart }));",
    '}',
    '',
  ].join('\n');
}

/** 32-bit FNV-1a: a stable, dependency-free spread of the seed over colours and sizes. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
