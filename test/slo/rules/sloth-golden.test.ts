import { describe, expect, it } from 'vitest';
import type { Slo } from '../../../src/slo/model.js';
import { generateRuleGroups } from '../../../src/slo/rules/generate.js';
import { renderPrometheusRules } from '../../../src/slo/rules/render-prometheus.js';
import { readFixture } from '../../helpers/fixture-files.js';
import {
  loadGettingStarted,
  loadSlothReference,
  loadSlothWithWeeklyWindows,
  slothTestdata,
} from './sloth-reference.js';

const day = 86_400_000;
const version = 'v0.16.0-test';

/** Renders Sloth's Go template: the version, and the Go string literals around alert templates. */
function renderExpected(template: string): string {
  return template
    .replaceAll('{{ .version }}', version)
    .replace(/\{\{"(\{\{\$labels\.[a-z_]+\}\})"\}\}/g, '$1');
}

function generateLikeSloth(slos: readonly Slo[], sloVersion = version): string {
  const groups = generateRuleGroups(slos, { compat: 'sloth', version: sloVersion, mode: 'cli-gen-prom' });
  return renderPrometheusRules(groups, { compat: 'sloth', version: sloVersion });
}

describe('sloth compat output matches Sloth v0.16.0 byte for byte', () => {
  it('in-base.yaml with the default 30d period renders out-base.yaml.tpl exactly', () => {
    const slos = loadSlothReference(`${slothTestdata}/in-base.yaml`);
    expect(generateLikeSloth(slos)).toBe(renderExpected(readFixture(`${slothTestdata}/out-base.yaml.tpl`)));
  });

  it('in-base.yaml with a 28d period renders out-base-28d.yaml.tpl exactly (4w windows, 5.6000000000000005)', () => {
    const slos = loadSlothReference(`${slothTestdata}/in-base.yaml`, 28 * day);
    expect(generateLikeSloth(slos)).toBe(
      renderExpected(readFixture(`${slothTestdata}/out-base-28d.yaml.tpl`)),
    );
  });

  it('in-base.yaml with the 7d AlertWindows catalog renders out-base-custom-windows-7d.yaml.tpl exactly', () => {
    const expected = renderExpected(readFixture(`${slothTestdata}/out-base-custom-windows-7d.yaml.tpl`));
    expect(generateLikeSloth(loadSlothWithWeeklyWindows())).toBe(expected);
  });

  it('the getting-started example with --extra-labels cmd=examplesgen.sh renders examples/_gen exactly', () => {
    expect(generateLikeSloth(loadGettingStarted(), 'dev')).toBe(
      readFixture('reference/sloth/examples/_gen/getting-started.yml'),
    );
  });
});
