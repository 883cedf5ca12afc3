import { describe, it } from 'vitest';
import { postgresAvailability } from './postgres-cluster.js';

/**
 * `describe` for suites that need PostgreSQL. Without it: in CI (`CI=true`) one failing test names
 * the reason (a failing hook would report its tests as skipped, and the run as "0 failed"); on a
 * developer's machine the suite is skipped with the reason in its name, as the promtool tests do.
 */
export function describeWithPostgres(name: string, suite: () => void): void {
  const availability = postgresAvailability();
  if (!availability.available && process.env.CI === 'true') {
    describe(name, () => {
      it('PostgreSQL is installed (required in CI: scripts/install-system-deps.sh)', () => {
        throw new Error(availability.reason);
      });
    });
    return;
  }
  const title = availability.available ? name : `${name} (skipped: ${availability.reason})`;
  describe.skipIf(!availability.available)(title, suite);
}
