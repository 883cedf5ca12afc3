import { describe, it } from 'vitest';
import { prometheusAvailability, type PrometheusAvailability } from './prometheus.js';

/**
 * `describe` for suites that need a real Prometheus (and promtool). Without it: in CI (`CI=true`) one
 * failing test names the reason (a failing hook would report its tests as skipped, and the run as
 * "0 failed"); on a developer's machine the suite is skipped with the reason in its name. The suite
 * receives the binaries' paths.
 */
export function describeWithPrometheus(
  name: string,
  suite: (binaries: Extract<PrometheusAvailability, { available: true }>) => void,
): void {
  const availability = prometheusAvailability();
  if (!availability.available) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('Prometheus is installed (required in CI: scripts/install-system-deps.sh)', () => {
          throw new Error(availability.reason);
        });
      });
      return;
    }
    describe.skip(`${name} (skipped: ${availability.reason})`, () => {
      it('needs Prometheus', () => undefined);
    });
    return;
  }
  describe(name, () => suite(availability));
}
