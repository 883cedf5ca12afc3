import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsOf, loadFromMemory } from '../helpers.js';

const reference = (path: string): string =>
  readFileSync(new URL(`../../fixtures/reference/openslo/${path}`, import.meta.url), 'utf8');

const inlineSlo = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  labels: { team: [checkout, payments] }
spec:
  service: store
  description: Checkout succeeds.
  budgetingMethod: Occurrences
  timeWindow:
    - duration: 28d
      isRolling: true
  indicator:
    metadata: { name: checkout-good }
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{route="/api/checkout",status_class!="5xx"}[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))
  objectives:
    - displayName: most checkouts succeed
      target: 0.999
`;

describe('OpenSLO v1 import', () => {
  it('maps an inline good/total ratio SLI to error events = total - good, with the rolling window as period', async () => {
    const [slo, ...rest] = await loadFromMemory({ 'slo.yaml': inlineSlo });
    expect(rest).toEqual([]);
    expect(slo).toMatchObject({
      id: 'store-checkout-availability',
      objective: 99.9,
      periodMs: 28 * 86_400_000,
      labels: { team: 'checkout,payments' },
      sli: {
        kind: 'events',
        errorQuery:
          '(sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))) - (sum(rate(http_requests_total{route="/api/checkout",status_class!="5xx"}[{{.window}}])))',
        totalQuery: 'sum(rate(http_requests_total{route="/api/checkout"}[{{.window}}]))',
      },
      source: { format: 'openslo/v1' },
    });
  });

  it('resolves indicatorRef against SLI documents in another file (the OpenSLO examples list)', async () => {
    const slo = `apiVersion: openslo/v1
kind: SLO
metadata: { name: wifi }
spec:
  service: network
  indicatorRef: wifi-client-satisfaction
  budgetingMethod: Occurrences
  timeWindow: [{ duration: 1M, isRolling: true }]
  objectives: [{ targetPercent: 95 }]
`;
    const [loaded] = await loadFromMemory({
      'slis.yaml': reference('pkg/openslo/v1/examples/slis.yaml'),
      'slo.yaml': slo,
    });
    expect(loaded?.sli.kind).toBe('raw');
    // rawType: success means the query is the good ratio; the error ratio is its complement.
    expect(loaded?.sli.kind === 'raw' && loaded.sli.errorRatioQuery.startsWith('1 - (1 - (')).toBe(true);
    expect(loaded?.periodMs).toBe(30 * 86_400_000);
    expect(loaded?.objective).toBe(95);
  });

  it('rejects the schema-test example because its metric source is Datadog, pointing at the type', async () => {
    const lines = await findingsOf({
      'slo.yaml': reference('schema-test/spec-files/v1/slo/slo-no-indicatorref-rolling-alerts.yaml'),
    });
    expect(lines).toContain('slo.yaml:19:19: metric source type Datadog is not supported: use Prometheus');
  });

  it('rejects Timeslices budgeting and calendar windows with their reasons', async () => {
    const text = inlineSlo
      .replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices')
      .replace('isRolling: true', 'isRolling: false');
    const lines = await findingsOf({ 'slo.yaml': text });
    expect(lines).toEqual([
      'slo.yaml:9:20: budgetingMethod Timeslices is not supported: burn-rate rules need Occurrences',
      'slo.yaml:11:7: calendar time windows are not supported: use isRolling: true',
    ]);
  });

  it('names a missing indicatorRef', async () => {
    const text = inlineSlo.replace(/ {2}indicator:[\s\S]*?(?= {2}objectives:)/, '  indicatorRef: nope\n');
    expect(await findingsOf({ 'slo.yaml': text })).toEqual([
      'slo.yaml:13:17: no SLI named "nope" in the input files',
    ]);
  });

  it('splits several objectives into one SLO each, suffixed by index as Sloth does', async () => {
    const text = inlineSlo.replace('      target: 0.999\n', '      target: 0.999\n    - target: 0.99\n');
    const slos = await loadFromMemory({ 'slo.yaml': text });
    expect(slos.map((s) => [s.id, s.objective])).toEqual([
      ['store-checkout-availability-0', 99.9],
      ['store-checkout-availability-1', 99],
    ]);
  });

  it('reports a broken SLI document even when no SLO references it', async () => {
    const sli = 'apiVersion: openslo/v1\nkind: SLI\nmetadata: { name: Bad_Name }\nspec: {}\n';
    const lines = await findingsOf({ 'slo.yaml': inlineSlo, 'sli.yaml': sli });
    expect(lines).toEqual([expect.stringMatching(/^sli\.yaml:3:19: expected a DNS-1123 name/)]);
  });
});
