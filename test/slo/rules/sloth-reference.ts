import { parseYamlFile } from '../../../src/core/yaml-source.js';
import { slothLoader } from '../../../src/slo/formats/sloth.js';
import type { Slo } from '../../../src/slo/model.js';
import { loadAlertWindowsCatalog } from '../../../src/slo/windows-catalog.js';
import { fixturePath, readFixture } from '../../helpers/fixture-files.js';

const day = 86_400_000;
export const slothTestdata = 'reference/sloth/test/integration/prometheus/testdata';

/** The SLOs of a Sloth spec under test/fixtures/reference/sloth, as `sloth generate` would read them. */
export function loadSlothReference(relative: string, defaultPeriodMs = 30 * day): Slo[] {
  const [doc] = parseYamlFile(fixturePath(relative), readFixture(relative));
  if (!doc) throw new Error(`no document in ${relative}`);
  const outcome = slothLoader.load(doc, { defaultPeriodMs });
  if (outcome.findings.length > 0)
    throw new Error(`findings in ${relative}: ${JSON.stringify(outcome.findings)}`);
  return [...outcome.slos];
}

/** in-base.yaml with Sloth's 7d AlertWindows catalog, as `--slo-period-windows-path` applies it. */
export function loadSlothWithWeeklyWindows(): Slo[] {
  const catalogFile = 'reference/sloth/test/integration/prometheus/windows/7d.yaml';
  const catalog = loadAlertWindowsCatalog(fixturePath(catalogFile), readFixture(catalogFile));
  return loadSlothReference(`${slothTestdata}/in-base.yaml`, catalog.periodMs).map((slo): Slo => ({
    ...slo,
    alerting: {
      ...slo.alerting,
      tiers: [
        { ...slo.alerting.tiers[0], ...catalog.windows.page },
        { ...slo.alerting.tiers[1], ...catalog.windows.ticket },
      ],
    },
  }));
}

/** getting-started.yml with `--extra-labels cmd=examplesgen.sh`, merged into every SLO's labels. */
export function loadGettingStarted(): Slo[] {
  return loadSlothReference('reference/sloth/examples/getting-started.yml').map((slo): Slo => ({
    ...slo,
    labels: { ...slo.labels, cmd: 'examplesgen.sh' },
  }));
}
