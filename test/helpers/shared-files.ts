import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file under the workspace's `shared/` folder (next to the repository). */
export function sharedPath(relative: string): string {
  return fileURLToPath(new URL(`../../../shared/${relative}`, import.meta.url));
}

export function readShared(relative: string): string {
  return readFileSync(sharedPath(relative), 'utf8');
}
