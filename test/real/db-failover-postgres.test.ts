import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveFaultSpec } from '../../src/chaos/fault-spec.js';
import { localDriver } from '../../src/chaos/local/local-driver.js';
import { startFaultProxyServer, type FaultProxyServer } from '../../src/chaos/local/proxy/index.js';
import { faultProxyInterposer } from '../../src/chaos/local/store-links.js';
import { endFault, runFault } from '../../src/chaos/run-fault.js';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';
import {
  startPostgresPrimaryWithReplica,
  type PostgresReplicationPair,
} from '../helpers/postgres-cluster.js';
import {
  checkoutRequest,
  newKey,
  shopper,
  startTestStore,
  type TestStore,
} from '../reference-store/support/test-store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * db-failover against a real PostgreSQL primary with a streaming replica (synchronous, so an
 * acknowledged commit is on both): the driver cuts the store's database link, stops the primary,
 * promotes the replica and points the proxy at it. The store keeps taking checkouts after a bounded
 * error window, and every checkout it acknowledged is on the new primary.
 */
describeWithPostgres('db-failover on a real PostgreSQL primary and streaming replica', () => {
  let pair: PostgresReplicationPair;
  let proxies: FaultProxyServer;
  let store: TestStore;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shopsre-failover-'));
    pair = await startPostgresPrimaryWithReplica({ fsync: false });
    await pair.primary.query("alter system set synchronous_standby_names = '*'");
    await pair.primary.query('select pg_reload_conf()');
    proxies = await startFaultProxyServer();
    store = await startTestStore({
      databaseUrl: pair.primary.url,
      interpose: faultProxyInterposer(proxies),
      pool: { max: 4, connectTimeoutMs: 500, queryTimeoutMs: 2000 },
    });
  }, 120_000);
  afterAll(async () => {
    await store?.stop();
    await proxies?.close();
    await pair?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving after a bounded error window, and loses no acknowledged order', async () => {
    const acknowledged: { idempotencyKey: string; orderId: string }[] = [];
    const outcomes: { at: number; status: number }[] = [];
    const checkout = async (): Promise<number> => {
      const { headers } = shopper();
      const added = await store.request('/api/cart/items', {
        method: 'POST',
        headers,
        json: { productId: 'p-00011', quantity: 1 },
      });
      if (added.status !== 201) return added.status;
      const key = newKey();
      const response = await store.request('/api/checkout', checkoutRequest(headers, key));
      const body = (await response.json()) as { orderId?: string };
      if (response.status < 300 && body.orderId)
        acknowledged.push({ idempotencyKey: key, orderId: body.orderId });
      return response.status;
    };
    for (let i = 0; i < 10; i++) outcomes.push({ at: performance.now(), status: await checkout() });

    const driver = localDriver({
      controlUrl: proxies.url,
      databaseFailover: {
        replicaAddress: `127.0.0.1:${pair.replica.port}`,
        async promote() {
          await pair.primary.stop('immediate');
          await pair.promoteReplica();
          // Alone now: a new primary that waited for a synchronous standby would never commit.
          await pair.replica.query("alter system set synchronous_standby_names = ''");
          await pair.replica.query('select pg_reload_conf()');
        },
      },
    });
    const injectedAt = performance.now();
    const run = await runFault({
      spec: resolveFaultSpec('db-failover', ['unavailableMs=2000'], '1m'),
      driver,
      statePath: join(dir, 'state.json'),
      runId: 'failover',
      signal: new AbortController().signal,
      hold: false,
    });
    let recoveredAt: number | undefined;
    let served = 0;
    while (served < 10 && performance.now() - injectedAt < 30_000) {
      const status = await checkout();
      outcomes.push({ at: performance.now(), status });
      if (status === 201) {
        recoveredAt ??= performance.now();
        served++;
      }
    }
    await endFault({ driver, statePath: join(dir, 'state.json') }, run.fault);

    expect(served).toBe(10);
    const window = (recoveredAt ?? Infinity) - injectedAt;
    const refused = outcomes.filter((o) => o.at >= injectedAt && o.status !== 201).length;
    console.log(
      `db-failover: first 201 on the new primary ${Math.round(window)} ms after the cut; ${refused} checkouts refused meanwhile`,
    );
    expect(window).toBeLessThan(15_000);
    // Nothing but clean refusals while it lasted: 503 with Retry-After, never a 500.
    expect(outcomes.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);

    const keys = acknowledged.map((a) => a.idempotencyKey);
    const onNewPrimary = await pair.replica.query<{ n: number }>(
      'select count(*)::int as n from orders where idempotency_key = any($1::text[])',
      [keys],
    );
    expect(onNewPrimary.rows[0]?.n).toBe(acknowledged.length);
    await store.reconcile({ graceMs: 0 });
    expect((await store.verify(acknowledged)).violations).toEqual([]);
  }, 90_000);
});
