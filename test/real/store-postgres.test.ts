import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';
import {
  startPostgresCluster,
  startPostgresPrimaryWithReplica,
  type PostgresCluster,
  type PostgresReplicationPair,
} from '../helpers/postgres-cluster.js';
import { lateChargeBehaviour } from '../reference-store/support/late-charge-behaviour.js';
import { storeBehaviour } from '../reference-store/support/store-behaviour.js';
import { startTestStore, type TestStore } from '../reference-store/support/test-store.js';

/**
 * The same API and invariant suite as on the embedded database, against a real PostgreSQL 15
 * (Debian's `postgresql` package) in a throwaway cluster; then the replica routing against real
 * streaming replication.
 */
describeWithPostgres('the reference store on a real PostgreSQL', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster({ fsync: false, maxConnections: 60 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  storeBehaviour(async () => startTestStore({ databaseUrl: await cluster.createDatabase('store') }));

  describe('late charges', () => {
    lateChargeBehaviour(async (options) =>
      startTestStore({ ...options, databaseUrl: await cluster.createDatabase('late_charges') }),
    );
  });
});

describeWithPostgres('catalog reads on a real streaming replica', () => {
  let pair: PostgresReplicationPair;
  let store: TestStore;
  beforeAll(async () => {
    pair = await startPostgresPrimaryWithReplica({ fsync: false });
    store = await startTestStore({ databaseUrl: pair.primary.url, replicaUrl: pair.replica.url });
    await pair.waitForReplay();
  }, 120_000);
  afterAll(async () => {
    await store?.stop();
    await pair?.destroy();
  });

  it('reads the catalog from the replica, and writes go to the primary', async () => {
    await store.sql("update products set name = 'Replicated kettle' where id = 'p-00003'");
    await pair.waitForReplay();
    const product = (await (await store.request('/api/products/p-00003')).json()) as { name: string };
    expect(product.name).toBe('Replicated kettle');
    const sessions = await pair.replica.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where application_name = 'shopsre-store-replica'",
    );
    expect(sessions.rows[0]?.n).toBeGreaterThan(0);
  });

  it('keeps serving the catalog from the replica while the primary is down', async () => {
    await pair.primary.stop('immediate');
    try {
      const response = await store.request('/api/products?q=kettle');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-served-from')).toBeNull();
      const checkout = await store.request('/api/checkout', {
        method: 'POST',
        headers: { 'x-session-id': 'replica-test', 'idempotency-key': 'replica-test-key-1' },
        json: { paymentToken: 'tok_visa' },
      });
      expect(checkout.status).toBe(503);
      expect(checkout.headers.get('retry-after')).not.toBeNull();
    } finally {
      await pair.primary.start();
    }
  });
});
