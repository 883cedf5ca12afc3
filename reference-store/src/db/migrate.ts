import type pg from 'pg';
import { migrations, type Migration } from './migrations.js';

/**
 * Applies the migrations not yet recorded, each in its own transaction. An advisory lock keeps two
 * store processes starting against the same database from applying the same migration twice.
 */
export async function migrate(pool: pg.Pool, all: readonly Migration[] = migrations): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('select pg_advisory_lock(7406)');
    await client.query(
      'create table if not exists schema_migrations (id integer primary key, name text not null, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query<{ id: number }>('select id from schema_migrations')).rows.map((r) => r.id),
    );
    for (const migration of all) {
      if (done.has(migration.id)) continue;
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (id, name) values ($1, $2)', [
          migration.id,
          migration.name,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${migration.id} (${migration.name}) failed: ${errorMessage(error)}`);
      }
      applied.push(migration.id);
    }
  } finally {
    await client.query('select pg_advisory_unlock(7406)').catch(() => undefined);
    client.release();
  }
  return applied;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
