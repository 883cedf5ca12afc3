import { describe, it } from 'vitest';
import { alertmanagerAvailability } from './alertmanager.js';
import { prometheusAvailability } from './prometheus.js';

/**
 * `describe` for suites that need a real Prometheus and a real Alertmanager (Debian's packages).
 * As `describeWithPrometheus`: without them the suite is one failing test naming what is missing,
 * never a skip, since the README's test command installs both (scripts/install-system-deps.sh).
 */
export function describeWithAlertmanager(
  name: string,
  suite: (binaries: { readonly prometheus: string; readonly alertmanager: string }) => void,
): void {
  const prometheus = prometheusAvailability();
  const alertmanager = alertmanagerAvailability();
  if (!prometheus.available || !alertmanager.available) {
    const reasons = [prometheus, alertmanager].flatMap((a) => (a.available ? [] : [a.reason]));
    describe(name, () => {
      it('Prometheus and Alertmanager are installed (scripts/install-system-deps.sh)', () => {
        throw new Error(reasons.join('; '));
      });
    });
    return;
  }
  describe(name, () => suite({ prometheus: prometheus.prometheus, alertmanager: alertmanager.alertmanager }));
}
