import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Files the tests read that come from other projects live inside the repository (a clone with
 * nothing beside it must pass its tests): reference fixtures under `test/fixtures/`, CRD schemas
 * under `schemas/crds/`.
 */
export function fixturePath(relative: string): string {
  return fileURLToPath(new URL(`../fixtures/${relative}`, import.meta.url));
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

export function crdSchemaPath(relative: string): string {
  return fileURLToPath(new URL(`../../schemas/crds/${relative}`, import.meta.url));
}
