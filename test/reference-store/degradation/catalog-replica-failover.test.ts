import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricSum, startSwitchedStore, type SwitchedStore } from './switched-store.js';

let s: SwitchedStore;

beforeAll(async () => {
  s = await startSwitchedStore({ replica: true });
});

afterAll(async () => {
  await s?.stop();
});

async function fallbacks(source: string): Promise<number> {
  const text = await (await s.fetch('/metrics')).text();
  return metricSum(text, 'catalog_fallback_reads_total', { source });
}

async function readCatalog(): Promise<{ list: Response; product: Response }> {
  return { list: await s.fetch('/api/products?limit=3'), product: await s.fetch('/api/products/p-00002') };
}

describe('catalog reads with a replica configured', () => {
  it('go to the replica, the preferred source, without an x-served-from header', async () => {
    const { list, product } = await readCatalog();
    expect([list.status, product.status]).toEqual([200, 200]);
    expect(list.headers.get('x-served-from')).toBeNull();
    expect(product.headers.get('x-served-from')).toBeNull();
    expect(s.replica?.connections()).toBeGreaterThan(0);
  });

  it('keep coming from the replica while the primary is cut, and count no fallback', async () => {
    s.primary.cut();
    try {
      const { list, product } = await readCatalog();
      expect([list.status, product.status]).toEqual([200, 200]);
      expect(list.headers.get('x-served-from')).toBeNull();
      expect(((await product.json()) as { id: string }).id).toBe('p-00002');
      expect(await fallbacks('primary')).toBe(0);
      expect(await fallbacks('cache')).toBe(0);
    } finally {
      s.primary.restore();
    }
  });

  it('fall back to the primary while the replica is cut, saying so and counting each fallback', async () => {
    s.replica?.cut();
    try {
      const before = await fallbacks('primary');
      const { list, product } = await readCatalog();
      expect([list.status, product.status]).toEqual([200, 200]);
      expect(list.headers.get('x-served-from')).toBe('primary');
      expect(product.headers.get('x-served-from')).toBe('primary');
      expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(3);
      expect(await fallbacks('primary')).toBe(before + 2);
    } finally {
      s.replica?.restore();
    }
  });

  it('fall back to the snapshot when both are cut, counted as cache fallbacks', async () => {
    s.primary.cut();
    s.replica?.cut();
    try {
      const { list, product } = await readCatalog();
      expect([list.status, product.status]).toEqual([200, 200]);
      expect(list.headers.get('x-served-from')).toBe('cache');
      expect(product.headers.get('x-served-from')).toBe('cache');
      expect(await fallbacks('cache')).toBe(2);
    } finally {
      s.primary.restore();
      s.replica?.restore();
    }
  });

  it('return to the replica once it is back, and answered nothing with a 500', async () => {
    const { list } = await readCatalog();
    expect(list.status).toBe(200);
    expect(list.headers.get('x-served-from')).toBeNull();
    expect(s.responses.filter((r) => r.status === 500)).toEqual([]);
    expect(s.logs()).not.toContain('unhandled error');
  });
});
