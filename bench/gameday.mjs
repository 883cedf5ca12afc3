// Runs bench/gameday.ts bundled the way shopsre ships (esbuild, one file, heavy packages external as in
// scripts/build.mjs), so module loading costs what the installed CLI pays, not what tsx pays.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(root, '.bench-'));
try {
  await build({
    entryPoints: [join(root, 'bench/gameday.ts')],
    outfile: join(dir, 'gameday.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [
      'react-devtools-core',
      '@electric-sql/pglite',
      '@electric-sql/pglite-socket',
      'pg',
      'pg-native',
    ],
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
    define: { __SHOPSRE_VERSION__: JSON.stringify('bench') },
    logLevel: 'warning',
  });
  const result = spawnSync(process.execPath, [join(dir, 'gameday.mjs')], { cwd: root, stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
