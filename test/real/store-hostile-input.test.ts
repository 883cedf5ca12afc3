import { afterAll, beforeAll } from 'vitest';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';
import { startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { hostileInputBehaviour } from '../reference-store/support/hostile-input-behaviour.js';
import { startTestStore } from '../reference-store/support/test-store.js';

/** The same hostile input as on the embedded database, against a real PostgreSQL 15. */
describeWithPostgres('hostile input on a real PostgreSQL', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresCluster({ fsync: false, maxConnections: 40 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  hostileInputBehaviour('postgresql', async () =>
    startTestStore({ databaseUrl: await cluster.createDatabase('hostile') }),
  );
});
