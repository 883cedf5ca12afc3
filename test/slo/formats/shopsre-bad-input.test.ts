import { describe, expect, it } from 'vitest';
import { findingsOf, loadFromMemory } from '../helpers.js';

/** A valid single SLO; each case breaks one thing in it. Line numbers below count from 1. */
const valid = `apiVersion: shopsre/v1
kind: SLO
service: store
name: checkout-availability
objective: 99.9
sli:
  events:
    errorQuery: sum(rate(http_requests_total{status_class="5xx"}[{{.window}}]))
    totalQuery: sum(rate(http_requests_total[{{.window}}]))
`;

describe('shopsre/v1 bad input is one clear line with file:line:col', () => {
  it('a valid spec has no findings', async () => {
    expect(await findingsOf({ 'slo.yaml': valid })).toEqual([]);
  });

  const cases: { name: string; text: string; expected: RegExp[] }[] = [
    { name: 'an empty file should fail', text: '', expected: [/^slo\.yaml:1:1: file is empty/] },
    {
      name: 'a comment-only file should fail',
      text: '# nothing\n',
      expected: [/^slo\.yaml:1:1: file is empty/],
    },
    {
      name: 'a wrong apiVersion should fail with a did-you-mean',
      text: valid.replace('shopsre/v1', 'shopsre/v2'),
      expected: [/^slo\.yaml:1:13: unsupported apiVersion "shopsre\/v2" \(did you mean "shopsre\/v1"\?\)/],
    },
    {
      name: 'a typo in a key should fail with a did-you-mean pointing at the key',
      text: valid.replace('objective: 99.9', 'objetive: 99.9'),
      expected: [
        /^slo\.yaml:1:1: missing required key "objective"/,
        /^slo\.yaml:5:1: unknown key "objetive" \(did you mean "objective"\?\)/,
      ],
    },
    {
      name: 'an objective of 100 should fail: it leaves no budget',
      text: valid.replace('objective: 99.9', 'objective: 100'),
      expected: [/^slo\.yaml:5:12: .*objective must be below 100/],
    },
    {
      name: 'a negative objective should fail',
      text: valid.replace('objective: 99.9', 'objective: -1'),
      expected: [/^slo\.yaml:5:12: .*objective must be above 0/],
    },
    {
      name: 'a period that does not parse should fail',
      text: `${valid}period: 30days\n`,
      expected: [/^slo\.yaml:10:9: expected a Prometheus duration/],
    },
    {
      name: 'a window in the wrong unit order should fail',
      text: `${valid}alerting:\n  page:\n    quick: { budgetPercent: 2, shortWindow: 5m1h, longWindow: 1h }\n`,
      expected: [/^slo\.yaml:12:45: expected a non-zero duration/],
    },
    {
      name: 'a short window longer than the long window should fail',
      text: `${valid}alerting:\n  page:\n    quick: { budgetPercent: 2, shortWindow: 2h, longWindow: 1h }\n`,
      expected: [/^slo\.yaml:12:12: quick: shortWindow must be shorter than longWindow/],
    },
    {
      name: 'a query without the window placeholder should fail',
      text: valid.replace('http_requests_total[{{.window}}]', 'http_requests_total[5m]'),
      expected: [/^slo\.yaml:9:17: query has no \{\{\.window\}\} placeholder/],
    },
    {
      name: 'malformed PromQL should fail at the column of the error',
      // The closing brace of the matcher is missing; the parser notices at `[`.
      text: valid.replace('{status_class="5xx"}[', '{status_class="5xx"['),
      // Column 17 is where the query starts; the `[` is 47 characters into it.
      expected: [/^slo\.yaml:8:64: invalid PromQL/],
    },
    {
      name: 'an override for an undeclared segment should fail at that key',
      text: valid.replace('objective: 99.9', 'objective: { default: 99.9, platinum: 99.99 }'),
      expected: [/^slo\.yaml:5:29: override for undeclared segment "platinum"/],
    },
    {
      name: 'two SLIs at once should fail',
      text: `${valid}  raw:\n    errorRatioQuery: sum(rate(x[{{.window}}]))\n`,
      expected: [/^slo\.yaml:7:3: sli has events and raw: choose exactly one/],
    },
  ];

  for (const { name, text, expected } of cases) {
    it(name, async () => {
      const lines = await findingsOf({ 'slo.yaml': text });
      expect(lines).toHaveLength(expected.length);
      expected.forEach((pattern, i) => expect(lines[i]).toMatch(pattern));
    });
  }

  it('duplicate SLO names in one list should fail at the second name', async () => {
    const list = `apiVersion: shopsre/v1
kind: SLOList
service: store
slos:
  - name: a
    objective: 99
    sli: { raw: { errorRatioQuery: 'sum(rate(x[{{.window}}]))' } }
  - name: a
    objective: 99
    sli: { raw: { errorRatioQuery: 'sum(rate(x[{{.window}}]))' } }
`;
    expect(await findingsOf({ 'slo.yaml': list })).toEqual([
      'slo.yaml:8:11: duplicate SLO name "a" (first defined at slos[0])',
    ]);
  });

  it('reports every finding in a file, not only the first', async () => {
    const text = valid
      .replace('objective: 99.9', 'objetive: 99.9')
      .replace('service: store', 'service: Store!');
    const lines = await findingsOf({ 'slo.yaml': text });
    expect(lines.length).toBeGreaterThanOrEqual(3); // bad service, unknown key, missing objective
    expect(lines.some((l) => l.startsWith('slo.yaml:3:10:') && l.includes('lowercase service name'))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('unknown key "objetive"'))).toBe(true);
  });

  it('the same SLO id in two files should fail', async () => {
    const lines = await findingsOf({ 'a.yaml': valid, 'b.yaml': valid });
    expect(lines).toEqual([
      'b.yaml:1:1: duplicate SLO "store-checkout-availability" (also defined at a.yaml:1)',
    ]);
  });

  it('YAML syntax errors are findings with a location', async () => {
    const lines = await findingsOf({ 'slo.yaml': 'apiVersion: shopsre/v1\nkind: [SLO\n' });
    expect(lines[0]).toMatch(/^slo\.yaml:\d+:\d+: /);
  });
});

describe('folders of SLO files', () => {
  it('skip budget policies and Sloth window catalogs that sit beside the SLOs', async () => {
    const policy = 'apiVersion: shopsre/v1\nkind: BudgetPolicy\nsteps: []\n';
    const windows = 'apiVersion: sloth.slok.dev/v1\nkind: AlertWindows\nspec: {}\n';
    const slo = `apiVersion: shopsre/v1
kind: SLO
service: store
name: a
objective: 99
segmented: false
sli: { raw: { errorRatioQuery: 'sum(rate(x[{{.window}}]))' } }
`;
    const slos = await loadFromMemory({ 'policy.yaml': policy, 'windows.yaml': windows, 'slo.yaml': slo });
    expect(slos.map((s) => s.id)).toEqual(['store-a']);
  });

  it('still reject a document of another kind under the shopsre apiVersion', async () => {
    const lines = await findingsOf({ 'x.yaml': 'apiVersion: shopsre/v1\nkind: Scenario\n' });
    expect(lines[0]).toMatch(/^x\.yaml:2:7: /);
  });
});
