import { describe, it } from 'vitest';
import { generateRuleGroups } from '../../../src/slo/rules/generate.js';
import { generatePromtoolTests } from '../../../src/slo/rules/promtool-tests.js';
import { renderPrometheusRule } from '../../../src/slo/rules/render-operator.js';
import { renderPrometheusRules } from '../../../src/slo/rules/render-prometheus.js';
import { expectGolden } from '../../helpers/golden.js';
import { segmentedSlos } from './segmented-example.js';

const version = 'v0.0.0-golden';

describe('default (non-compat) output for a segmented example matches its reviewed golden files', () => {
  const slos = segmentedSlos();
  const groups = generateRuleGroups(slos, { version, mode: 'cli-gen-prom' });

  it('Prometheus rules', () => {
    expectGolden('slo', 'segmented.rules.yaml', renderPrometheusRules(groups, { version }));
  });

  it('promtool unit tests for those rules', () => {
    expectGolden('slo', 'segmented.rules.test.yaml', generatePromtoolTests(slos, 'segmented.rules.yaml'));
  });

  it('a PrometheusRule for prometheus-operator', () => {
    expectGolden(
      'slo',
      'segmented.prometheusrule.yaml',
      renderPrometheusRule(groups, slos, { version, namespace: 'monitoring' }),
    );
  });
});
