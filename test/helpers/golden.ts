import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * Compares generated text with a reviewed file under test/golden/<area>/. The file changes only when
 * the test runs with UPDATE_GOLDEN=1; read the diff line by line against its independent source (the
 * SRE workbook and promtool, the journey, Chaos Mesh's docs) before committing it.
 */
export function expectGolden(area: 'slo' | 'loadgen' | 'chaos', name: string, actual: string): void {
  const path = fileURLToPath(new URL(`../golden/${area}/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path))
    throw new Error(`missing golden ${area}/${name}: run the test with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
