import { describe, it } from 'vitest';
import { postgresAvailability } from './postgres-cluster.js';

/**
 * `describe` for suites that need PostgreSQL. Without it the suite is one failing test that names the
 * reason, here as in CI: the README's test command installs it (scripts/install-system-deps.sh), and
 * a skipped suite would hide that it never ran (a failing hook would report its tests as skipped, and
 * the run as "0 failed").
 */
export function describeWithPostgres(name: string, suite: () => void): void {
  const availability = postgresAvailability();
  if (!availability.available) {
    describe(name, () => {
      it('PostgreSQL is installed (scripts/install-system-deps.sh)', () => {
        throw new Error(availability.reason);
      });
    });
    return;
  }
  describe(name, suite);
}
