import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder of shopsre's own package.json: the repository in a checkout, the installed package
 * under node_modules otherwise. Files shipped with shopsre (scenarios, the reference store's SLOs,
 * runbooks) are read from there, so a command works from any directory, installed or not.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isShopsre(manifest)) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`shopsre's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isShopsre(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'shopsre';
  } catch {
    return false;
  }
}

/** A file shipped with shopsre, by its path in the package (`scenarios/vendor-outage.yaml`). */
export function packageFile(relative: string): string {
  return join(packageRoot(), relative);
}
