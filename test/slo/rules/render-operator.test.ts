import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateRuleGroups } from '../../../src/slo/rules/generate.js';
import { defaultRuleName, renderPrometheusRule } from '../../../src/slo/rules/render-operator.js';
import { renderPrometheusRules } from '../../../src/slo/rules/render-prometheus.js';
import { buildSlo } from '../builders.js';
import { crdSchemaErrors, undeclaredFields } from '../../helpers/crd-schema.js';
import { segmentedSlos } from './segmented-example.js';

const version = 'test';
const slos = segmentedSlos();
const groups = generateRuleGroups(slos, { version, mode: 'cli-gen-prom' });

interface PrometheusRuleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec: { groups: unknown[] };
}

const render = (options: { name?: string; namespace?: string } = {}): PrometheusRuleObject =>
  parse(renderPrometheusRule(groups, slos, { version, ...options })) as PrometheusRuleObject;

describe('--format prometheus-operator writes a PrometheusRule', () => {
  it('that validates against the prometheus-operator CRD schema, with no field the schema does not declare', () => {
    const object = render({ namespace: 'monitoring' });
    expect([object.apiVersion, object.kind]).toEqual(['monitoring.coreos.com/v1', 'PrometheusRule']);
    expect(crdSchemaErrors('prometheus-operator/PrometheusRule.json', object)).toEqual([]);
    expect(undeclaredFields('prometheus-operator/PrometheusRule.json', object)).toEqual([]);
  });

  it('whose spec.groups are exactly the groups of the Prometheus rule file', () => {
    const ruleFile = parse(renderPrometheusRules(groups, { version })) as { groups: unknown[] };
    expect(render().spec.groups).toEqual(ruleFile.groups);
  });

  it('named after the services unless --name is given, labelled as managed by shopsre', () => {
    expect(render().metadata).toEqual({
      name: 'store-slos',
      labels: { 'app.kubernetes.io/managed-by': 'shopsre' },
    });
    expect(render({ name: 'checkout', namespace: 'shop' }).metadata).toMatchObject({
      name: 'checkout',
      namespace: 'shop',
    });
  });

  it('derives a valid Kubernetes name from any service names', () => {
    const name = defaultRuleName([buildSlo({ service: 'Payments_API' }), buildSlo({ service: 'cart' })]);
    expect(name).toBe('cart-payments-api-slos');
    expect(defaultRuleName([])).toBe('shopsre-slos');
  });

  it('the schema check catches a broken object (a group without a name)', () => {
    const object = render();
    const broken = { ...object, spec: { groups: [{ rules: [] }] } };
    expect(crdSchemaErrors('prometheus-operator/PrometheusRule.json', broken)).toEqual([
      "/spec/groups/0: must have required property 'name'",
    ]);
    expect(
      undeclaredFields('prometheus-operator/PrometheusRule.json', { ...object, spec: { grups: [] } }),
    ).toEqual(['/spec/grups']);
  });
});
