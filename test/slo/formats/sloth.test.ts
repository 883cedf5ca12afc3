import { describe, expect, it } from 'vitest';
import { formatFinding } from '../../../src/core/errors.js';
import { parseYamlFile } from '../../../src/core/yaml-source.js';
import { slothLoader } from '../../../src/slo/formats/sloth.js';
import { defaultWindows } from '../../../src/slo/windows.js';
import { readFixture } from '../../helpers/fixture-files.js';

const day = 86_400_000;

function load(text: string, defaultPeriodMs = 30 * day) {
  const [doc] = parseYamlFile('sloth.yaml', text);
  if (!doc) throw new Error('no document');
  const outcome = slothLoader.load(doc, { defaultPeriodMs });
  return { slos: outcome.slos, findings: outcome.findings.map(formatFinding) };
}

const valid = `version: "prometheus/v1"
service: "checkout"
labels:
  team: payments
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{ .window }}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutAvailability
`;

describe('the Sloth prometheus/v1 loader maps specs to SLOs', () => {
  it("Sloth's in-base.yaml becomes two SLOs with merged labels, Sloth's tiers and the default period", () => {
    const { slos, findings } = load(
      readFixture('reference/sloth/test/integration/prometheus/testdata/in-base.yaml'),
      28 * day,
    );
    expect(findings).toEqual([]);
    const [events, raw] = slos;
    expect(events).toMatchObject({
      id: 'svc01-slo1',
      service: 'svc01',
      name: 'slo1',
      baseName: 'slo1',
      description: 'This is SLO 01.',
      objective: 99.9,
      periodMs: 28 * day,
      labels: { global01k1: 'global01v1', global02k1: 'global02v1' },
      loadResults: { steps: [], kind: 'availability' },
      source: { format: 'prometheus/v1', file: 'sloth.yaml' },
      alerting: {
        name: 'myServiceAlert',
        labels: { alert01k1: 'alert01v1' },
        annotations: { alert02k1: 'alert02k2' },
      },
    });
    expect(events?.segment).toBeUndefined();
    expect(events?.alerting.tiers).toEqual([
      {
        name: 'page',
        enabled: true,
        ...defaultWindows.page,
        severity: 'page',
        labels: { alert03k1: 'alert03v1' },
        annotations: {},
      },
      {
        name: 'ticket',
        enabled: true,
        ...defaultWindows.ticket,
        severity: 'ticket',
        labels: { alert04k1: 'alert04v1' },
        annotations: {},
      },
    ]);
    expect(raw?.sli.kind).toBe('raw');
    expect(raw?.alerting.tiers.map((t) => t.enabled)).toEqual([false, false]);
  });

  it('normalizes `{{ .window }}` to the model placeholder `{{.window}}`', () => {
    const { slos } = load(valid);
    expect(slos[0]?.sli).toEqual({
      kind: 'events',
      errorQuery: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum(rate(http_requests_total[{{.window}}]))',
    });
  });
});

describe('the Sloth loader reports every problem as file:line:col', () => {
  it('a misspelled key is a finding with a did-you-mean hint, where Sloth would drop it silently', () => {
    const { slos, findings } = load(valid.replace('objective: 99.9', 'objetive: 99.9'));
    expect(slos).toEqual([]);
    expect(findings).toContain(
      'sloth.yaml:7:5: unknown key "objetive" (did you mean "objective"?) (at slos[0])',
    );
  });

  it('an SLI plugin is rejected with what to write instead', () => {
    const text = valid.replace(
      / {6}events:\n.*\n.*\n/,
      '      plugin:\n        id: sloth-common/availability\n',
    );
    expect(load(text).findings).toEqual([
      'sloth.yaml:9:7: SLI plugins are not supported: write the plugin query as sli.events or sli.raw',
    ]);
  });

  it('an enabled alert without a name, an objective of 100 and a bad label name are all reported', () => {
    const text = valid
      .replace('      name: CheckoutAvailability\n', '      labels:\n        bad-key: x\n')
      .replace('objective: 99.9', 'objective: 100');
    expect(load(text).findings).toEqual([
      'sloth.yaml:7:16: objective must be below 100 (a percentage such as 99.9) (at slos[0].objective)',
    ]);
    const afterShape = load(
      valid.replace('      name: CheckoutAvailability\n', '      labels:\n        bad-key: x\n'),
    );
    expect(afterShape.findings).toEqual([
      'sloth.yaml:13:7: alerting.name is required unless both page_alert and ticket_alert are disabled',
      'sloth.yaml:14:9: "bad-key" is not a valid Prometheus label name',
    ]);
  });

  it('queries without the window placeholder or with broken PromQL are located in the query', () => {
    const text = valid
      .replace('[{{ .window }}]', '[5m]')
      .replace('sum(rate(http_requests_total[{{.window}}]))', 'sum(rate(http_requests_total[{{.window}}])');
    const { findings } = load(text);
    expect(findings).toHaveLength(2);
    expect(findings[0]).toBe(
      'sloth.yaml:10:22: query has no {{.window}} placeholder: write the range as [{{.window}}]',
    );
    expect(findings[1]).toMatch(/^sloth\.yaml:11:\d+: invalid PromQL near/);
  });

  it('two SLOs with the same name are reported at the second one', () => {
    const second = valid.slice(valid.indexOf('  - name'));
    expect(load(valid + second).findings).toEqual([
      'sloth.yaml:14:11: duplicate SLO name "requests-availability"',
    ]);
  });
});
