import { Hono } from 'hono';
import type { CatalogReader, CatalogSource } from '../catalog/catalog-reader.js';
import type { StoreEnv } from '../http/env.js';
import { Problem } from '../http/problem.js';
import { cleanTextMessage, isCleanText, pathParam } from '../http/text-input.js';

const maxLimit = 100;
const maxOffset = 10_000;

export function catalogRoutes(catalog: CatalogReader): Hono<StoreEnv> {
  const app = new Hono<StoreEnv>();
  app.get('/api/products', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 20, 1, maxLimit);
    const offset = intParam(c.req.query('offset'), 'offset', 0, 0, maxOffset);
    const q = textParam(c.req.query('q'), 'q');
    const category = textParam(c.req.query('category'), 'category');
    const { items, total, source } = await catalog.list({ q, category, limit, offset });
    markSource(c.header.bind(c), source);
    return c.json({ items, total, limit, offset });
  });
  app.get('/api/products/:id', async (c) => {
    const id = pathParam(c.req.param('id'), 'the product id');
    if (id.length > 64) throw new Problem(404, 'unknown-product', 'no such product');
    const { product, source } = await catalog.get(id);
    markSource(c.header.bind(c), source);
    if (!product) throw new Problem(404, 'unknown-product', `no product ${id}`);
    return c.json(product);
  });
  return app;
}

/** Degraded reads say so, for clients and for whoever reads a game day's traces. */
function markSource(header: (name: string, value: string) => void, source: CatalogSource): void {
  if (source !== 'preferred') header('x-served-from', source);
}

function intParam(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Problem(400, 'invalid-query', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function textParam(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.length > 200) throw new Problem(400, 'invalid-query', `${name} is limited to 200 characters`);
  if (!isCleanText(raw)) throw new Problem(400, 'invalid-query', `${name} ${cleanTextMessage}`);
  return raw;
}
