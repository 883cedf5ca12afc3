import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
const db = await PGlite.create();
const srv = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 8 });
await srv.start();
const pool = new pg.Pool({ connectionString: `postgres://postgres@${srv.getServerConn()}/postgres`, max: 8 });
await pool.query('create table t (id int primary key, v text)');
let wrong = 0, errors = 0, msgs = new Set();
await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
  try {
    if (i % 2) {
      const c = await pool.connect();
      try { await c.query('begin'); await c.query('insert into t values ($1, $2)', [i, `v${i}`]); await c.query('select $1::int + 1 as n', [i]); await c.query('commit'); } finally { c.release(); }
    } else {
      const r = await pool.query('select $1::text as v', [`v${i}`]); if (r.rows[0]?.v !== `v${i}`) wrong++;
    }
  } catch (e) { errors++; msgs.add(e.message); }
}));
console.log({ wrong, errors, msgs: [...msgs].slice(0, 3) });
await pool.end(); await srv.stop(); await db.close();
