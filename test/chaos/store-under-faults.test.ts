import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFaultSpec } from '../../src/chaos/fault-spec.js';
import { localDriver } from '../../src/chaos/local/local-driver.js';
import { startFaultProxyServer, type FaultProxyServer } from '../../src/chaos/local/proxy/index.js';
import { faultProxyInterposer } from '../../src/chaos/local/store-links.js';
import { endFault, runFault, type FaultRun } from '../../src/chaos/run-fault.js';
import {
  checkoutRequest,
  newKey,
  shopper,
  startTestStore,
  type TestStore,
} from '../reference-store/support/test-store.js';

/**
 * The reference store behind fault proxies on every link, driven by the local driver as `chaos
 * inject` drives it: the store fails over to the backup vendor, recovers from a database failover
 * (the embedded kind: connections cut, refused for a window, then back), and its invariants hold
 * after each.
 */
describe('the reference store under local faults', () => {
  let proxies: FaultProxyServer;
  let store: TestStore;
  let dir: string;
  const acknowledged: { idempotencyKey: string; orderId: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shopsre-faults-'));
    proxies = await startFaultProxyServer();
    store = await startTestStore({
      interpose: faultProxyInterposer(proxies),
      pool: { max: 4, connectTimeoutMs: 500, queryTimeoutMs: 2000 },
    });
  }, 60_000);
  afterAll(async () => {
    await store?.stop();
    await proxies?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const checkout = async (segment = 'guest'): Promise<{ status: number; provider?: string }> => {
    const { headers } = shopper(segment);
    const add = await store.request('/api/cart/items', {
      method: 'POST',
      headers,
      json: { productId: 'p-00009', quantity: 1 },
    });
    if (add.status !== 201) return { status: add.status };
    const key = newKey();
    const response = await store.request('/api/checkout', checkoutRequest(headers, key));
    const body = (await response.json()) as { orderId?: string; payment?: { provider: string } | null };
    if (response.status < 300 && body.orderId)
      acknowledged.push({ idempotencyKey: key, orderId: body.orderId });
    return { status: response.status, ...(body.payment ? { provider: body.payment.provider } : {}) };
  };

  const inject = (fault: string, params: string[], duration = '1m'): Promise<FaultRun> =>
    runFault({
      spec: resolveFaultSpec(fault, params, duration),
      driver: localDriver({ controlUrl: proxies.url }),
      statePath: join(dir, 'state.json'),
      runId: `test-${fault}`,
      signal: new AbortController().signal,
      hold: false,
    });
  const revert = (run: FaultRun): Promise<number> =>
    endFault(
      { driver: localDriver({ controlUrl: proxies.url }), statePath: join(dir, 'state.json') },
      run.fault,
    );

  it('puts a fault proxy on every link of the store', () => {
    expect(
      proxies
        .proxies()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['cdn-edge', 'cdn-origin', 'database', 'vendor-backup', 'vendor-primary']);
    expect(store.endpoints.databaseUrl).not.toBe(store.dependencies.databaseUrl);
  });

  it('fails checkouts over to the backup vendor during a vendor outage, and back after the revert', async () => {
    const run = await inject('vendor-outage', []);
    expect(run.report.verification).toMatch(/HTTP 503/);
    const during = [];
    for (let i = 0; i < 8; i++) during.push(await checkout(i % 2 ? 'vip' : 'member'));
    expect(during.map((c) => c.status)).toEqual(Array(8).fill(201));
    expect(new Set(during.map((c) => c.provider))).toEqual(new Set(['backup']));
    const metrics = await (await store.request('/metrics')).text();
    expect(metrics).toContain('payment_circuit_breaker_state{provider="primary"} 1');
    expect(metrics).toMatch(/payment_attempts_total\{provider="primary",outcome="circuit_open"\} [1-9]/);

    await revert(run);
    expect(proxies.toxics('vendor-primary')).toEqual([]);
    // The breaker lets a call through again after its half-open delay (300 ms in the tests' policy).
    let after = await checkout();
    for (let i = 0; i < 20 && after.provider !== 'primary'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await checkout();
    }
    expect(after).toEqual({ status: 201, provider: 'primary' });
    expect((await store.verify(acknowledged)).violations).toEqual([]);
  });

  it('answers 503 quickly while the database is failing over, then serves again by itself', async () => {
    const run = await inject('db-failover', ['unavailableMs=1500'], '10s');
    expect(run.report.verification).toMatch(/closed/);
    const during = await checkout();
    expect(during.status).toBe(503);
    const catalog = await store.request('/api/products?limit=3');
    expect(catalog.status).toBe(200);
    // The proxy lifts the cut by itself when the window ends; the pool reconnects.
    let after = await checkout();
    for (let i = 0; i < 40 && after.status !== 201; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await checkout();
    }
    expect(after.status).toBe(201);
    await revert(run);
    await store.reconcile({ graceMs: 0 });
    expect((await store.verify(acknowledged)).violations).toEqual([]);
  });

  it('serves assets from the edge cache while the origin errors, and the latency of a slow edge', async () => {
    expect((await store.request('/assets/css/site.css')).status).toBe(200);
    const errors = await inject('cdn-origin-errors', []);
    const cached = await store.request('/assets/css/site.css');
    expect(cached.status).toBe(200);
    expect(cached.headers.get('x-cache')).toBe('HIT');
    expect((await store.request('/assets/img/product-77.svg')).status).toBe(502);
    await revert(errors);
    const slow = await inject('cdn-slowness', ['where=edge', 'latencyMs=300', 'jitterMs=0']);
    const started = performance.now();
    expect((await store.request('/assets/css/site.css')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    await revert(slow);
    expect(proxies.proxies().every((p) => p.toxics.length === 0)).toBe(true);
  });
});
