// Bundles the CLI into dist/ so it starts fast: one file for the core path, with lazily imported
// command chunks (code splitting) so heavy dependencies load only for the commands that need them.
import { build } from 'esbuild';
import { readFile, rm, chmod } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { shopsre: 'src/bin.ts' },
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
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
await chmod(new URL('../dist/shopsre.js', import.meta.url), 0o755);
