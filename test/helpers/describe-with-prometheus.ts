import { describe, it } from 'vitest';
import { prometheusAvailability, type PrometheusAvailability } from './prometheus.js';

/**
 * `describe` for suites that need a real Prometheus and promtool. Without them the suite is one
 * failing test that names the reason, here as in CI: the README's test command installs them
 * (scripts/install-system-deps.sh), and a skipped suite would hide that they never ran (a failing
 * hook would report its tests as skipped, and the run as "0 failed"). The suite receives the
 * binaries' paths.
 */
export function describeWithPrometheus(
  name: string,
  suite: (binaries: Extract<PrometheusAvailability, { available: true }>) => void,
): void {
  const availability = prometheusAvailability();
  if (!availability.available) {
    describe(name, () => {
      it('Prometheus and promtool are installed (scripts/install-system-deps.sh)', () => {
        throw new Error(availability.reason);
      });
    });
    return;
  }
  describe(name, () => suite(availability));
}
