import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestStore } from '../support/test-store.js';
import { checkoutFresh, expectNoSecretsInLogs, orderOf, productPicker } from './payment-test-support.js';

/** Accepts connections and never answers: every call to it times out. */
async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

describe('a payment whose vendor never answers', () => {
  let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
  let store: TestStore;
  let nextProduct: () => Promise<string>;

  beforeAll(async () => {
    blackHole = await startBlackHole();
    store = await startTestStore({
      vendors: [{ name: 'blackhole', url: blackHole.url, secretKey: 'sk_test_x' }],
    });
    nextProduct = productPicker(store);
  }, 60_000);

  afterAll(async () => {
    // The black hole first: its sockets' end fails whatever the store still waits for.
    await blackHole?.close();
    await store?.stop();
  });

  /** The order the first test leaves open, for the next to verify. */
  let open: { idempotencyKey: string; orderId: string } | undefined;

  it('answers 202 payment_unknown and leaves the order open after reconciliation, which cannot ask the vendor', async () => {
    const run = await checkoutFresh(store, await nextProduct());
    expect(run.response.status).toBe(202);
    const { orderId, status } = orderOf(run);
    expect(status).toBe('payment_unknown');

    expect(await store.reconcile({ graceMs: 0 })).toMatchObject({ paid: 0, failed: 0, unresolved: 1 });
    const rows = await store.sql<{ status: string }>('select status from orders where id = $1', [orderId]);
    expect(rows).toEqual([{ status: 'payment_unknown' }]);
    open = { idempotencyKey: run.key, orderId };
  });

  it('makes verify report the open order as a no-unresolved-payment violation', async () => {
    expect(open).toBeDefined();
    const verifying = store.verify(open ? [open] : []);
    verifying.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'no answer'>(
      (resolve) => (timer = setTimeout(() => resolve('no answer'), 5000)),
    );
    const report = await Promise.race([verifying, bound]).finally(() => clearTimeout(timer));

    if (report === 'no answer') {
      throw new Error('verify() gave no report within 5 s: it is still waiting for the vendor’s ledger');
    }
    expect(report.ok).toBe(false);
    expect(report.violations).toContainEqual({
      invariant: 'no-unresolved-payment',
      detail: `${open?.orderId}: payment_unknown`,
    });
  });

  it('keeps the vendor’s secret key and the payment tokens out of the logs', () => {
    expectNoSecretsInLogs(store);
  });
});
