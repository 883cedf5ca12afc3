import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addToCart,
  checkoutRequest,
  newKey,
  shopper,
  startTestStore,
  type TestStore,
} from './support/test-store.js';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the store registers the OpenTelemetry SDK and exports spans
 * over OTLP/HTTP; here to a collector stub on loopback that keeps what it receives. In its own file:
 * the SDK registers a global tracer provider for the whole process.
 */
describe('trace export over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let collector: Server;
  const received: { path: string; type: string; body: string }[] = [];
  let store: TestStore;

  beforeAll(async () => {
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          path: request.url ?? '',
          type: request.headers['content-type'] ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    store = await startTestStore({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'store-under-test',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await store?.stop();
    collector?.closeAllConnections();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('exports request, database and vendor spans, flushed when the store stops', async () => {
    const { headers } = shopper('vip');
    await addToCart(store, headers, 'p-00005');
    expect((await store.request('/api/checkout', checkoutRequest(headers, newKey()))).status).toBe(201);
    // Both vendors refusing makes a 503, which the store logs with the request's trace id.
    for (const vendor of store.dependencies.vendorSimulators)
      vendor.setBehaviour({ failNext: { count: 100, status: 503 } });
    const { headers: other } = shopper();
    await addToCart(store, other, 'p-00006');
    expect((await store.request('/api/checkout', checkoutRequest(other, newKey()))).status).toBe(503);
    await store.stop();

    const traces = received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    const text = traces.map((r) => r.body).join('\n');
    expect(text).toContain('store-under-test');
    for (const span of [
      'POST /api/checkout',
      'POST /api/cart/items',
      'db.reserve_order',
      'db.mark_paid',
      'payment.create_intent',
    ]) {
      expect(text, span).toContain(span);
    }
    expect(text).toContain('"shop.segment"');

    const failed = store
      .logs()
      .split('\n')
      .filter((line) => line.includes('"request failed"'))
      .map((line) => JSON.parse(line) as { trace_id?: string; status?: number });
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.status).toBe(503);
    expect(failed[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(text).toContain(failed[0]?.trace_id ?? 'no trace id');
  });
});
