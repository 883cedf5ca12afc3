import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from './migrate.js';
import { migrations } from './migrations.js';
import { seedStore, type SeedOptions } from './seed.js';

export interface EmbeddedDatabaseOptions extends SeedOptions {
  /** Where seeded templates are kept between runs; default `$XDG_CACHE_HOME/shopsre` or `~/.cache/shopsre`. */
  readonly cacheDir?: string;
  /**
   * Keep the database in this directory across runs (created from the template when missing).
   * Default: a fresh copy of the template in a temporary directory, removed on stop.
   */
  readonly dataDir?: string;
  /** Connections the socket server accepts at once; set it to the pool sizes (PGlite's default is 1). */
  readonly maxConnections?: number;
}

export interface EmbeddedDatabase {
  /** postgres://… on a loopback port: the store reaches PGlite through `pg`, as it would PostgreSQL. */
  readonly url: string;
  readonly dataDir: string;
  /** Whether this start created the template (slow: initdb and seeding) or reused one. */
  readonly createdTemplate: boolean;
  stop(): Promise<void>;
}

/**
 * PGlite served over the Postgres wire protocol (@electric-sql/pglite-socket) on 127.0.0.1.
 * A fresh PGlite runs initdb (about 2 s, 700 MB RSS) while reopening a data directory takes 0.3 s
 * (shared/NOTES.md), so the migrated and seeded database is kept as a template per seed and copied.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const template = await ensureTemplate(options);
  const ephemeral = options.dataDir === undefined;
  const dataDir = options.dataDir ?? join(await mkdtemp(join(tmpdir(), 'shopsre-store-')), 'pgdata');
  if (!(await exists(dataDir))) await cp(template.dir, dataDir, { recursive: true });

  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 16,
  });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  let stopped = false;
  return {
    url,
    dataDir,
    createdTemplate: template.created,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      if (ephemeral) await rm(join(dataDir, '..'), { recursive: true, force: true });
    },
  };
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'shopsre');
}

/** The template's name carries everything that shapes its content, so a change never reuses a stale one. */
function templateName(options: SeedOptions): string {
  const schema = migrations.at(-1)?.id ?? 0;
  return [
    'pglite',
    `schema${schema}`,
    `seed${options.seed}`,
    `p${options.products ?? 'd'}`,
    `c${options.customers ?? 'd'}`,
    `h${options.historyOrders ?? 'd'}`,
  ].join('-');
}

async function ensureTemplate(options: EmbeddedDatabaseOptions): Promise<{ dir: string; created: boolean }> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const dir = join(cacheDir, templateName(options));
  if (await exists(join(dir, 'PG_VERSION'))) return { dir, created: false };
  await mkdir(cacheDir, { recursive: true });
  const building = await mkdtemp(join(cacheDir, '.building-'));
  try {
    await buildTemplate(join(building, 'pgdata'), options);
    try {
      await rename(join(building, 'pgdata'), dir);
    } catch (error) {
      // Another process built the same template first: theirs is as good as ours.
      if (!(await exists(join(dir, 'PG_VERSION')))) throw error;
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return { dir, created: true };
}

/** Migrates and seeds through the socket and `pg`, the same path the store takes at run time. */
async function buildTemplate(dataDir: string, options: SeedOptions): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  const pool = new pg.Pool({
    connectionString: `postgres://postgres@${server.getServerConn()}/postgres`,
    max: 1,
  });
  try {
    await migrate(pool);
    await seedStore(pool, options);
    await pool.query('checkpoint');
  } finally {
    await pool.end();
    await server.stop();
    await db.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
