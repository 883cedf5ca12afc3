import { describe, it } from 'vitest';
import { postgresAvailability } from './postgres-cluster.js';

/**
 * `describe` for suites that need PostgreSQL. Without it, the suite is skipped with the reason in
 * its name, except in CI (`CI=true`), where it fails with that reason.
 */
export function describeWithPostgres(name: string, suite: () => void): void {
  const availability = postgresAvailability();
  if (availability.available) {
    describe(name, suite);
  } else if (process.env.CI === 'true') {
    // A failing test rather than a failing hook: a hook failure reports its tests as skipped.
    describe(name, () => {
      it('PostgreSQL is installed (required in CI)', () => {
        throw new Error(availability.reason);
      });
      describe.skip('tests that need it', suite);
    });
  } else {
    describe.skip(`${name} (skipped: ${availability.reason})`, suite);
  }
}
