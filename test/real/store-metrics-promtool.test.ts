import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrometheus } from '../helpers/describe-with-prometheus.js';
import { runPromtool } from '../helpers/prometheus.js';
import { startTestStore, type TestStore } from '../reference-store/support/test-store.js';

/**
 * The store's `/metrics`, served live by the embedded store after some traffic, passes
 * `promtool check metrics` (Prometheus' own exposition lint: naming, units, suffixes). Without
 * promtool it fails (test/helpers/describe-with-prometheus.ts).
 */

describeWithPrometheus("promtool accepts the store's /metrics", () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await startTestStore();
  }, 120_000);
  afterAll(async () => {
    await store.stop();
  });

  it('lints clean: exit 0 and no finding, with every default Node.js metric but the dropped totals', async () => {
    for (const path of ['/api/products?q=kettle', '/api/products/1', '/healthz', '/nowhere']) {
      const response = await fetch(`${store.url}${path}`, { headers: { 'x-customer-segment': 'vip' } });
      await response.arrayBuffer();
    }
    const response = await fetch(`${store.url}/metrics`);
    expect(response.status).toBe(200);
    const exposition = await response.text();
    const result = runPromtool(['check', 'metrics'], { input: exposition });
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
    // The totals promtool flags are gone; their by-type gauges stay (their sum is the total).
    expect(exposition).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
    expect(exposition).toMatch(/^# TYPE nodejs_active_handles gauge$/m);
    expect(exposition).toMatch(/^http_requests_total\{.*segment="vip"/m);
  });
});
