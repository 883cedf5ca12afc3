// Bundles the CLI into dist/ so it starts fast: one file for the core path, with lazily imported
// command chunks (code splitting) so heavy dependencies load only for the commands that need them.
import { build } from 'esbuild';
import { readFile, rm, chmod } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  // The worker entry is its own file: worker threads start it by path (src/loadgen/workers.ts).
  entryPoints: { shopsre: 'src/bin.ts', 'loadgen-worker': 'src/loadgen/worker-entry.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
  define: { __SHOPSRE_VERSION__: JSON.stringify(pkg.version) },
  // ink loads react-devtools-core only when DEV=true; it is not a dependency of ours.
  // PGlite finds its WebAssembly and data files next to its own module, and pg requires pg-native only
  // when asked: both stay in node_modules rather than in the bundle.
  external: ['react-devtools-core', '@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg', 'pg-native'],
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
await chmod(new URL('../dist/shopsre.js', import.meta.url), 0o755);
