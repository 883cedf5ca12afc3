import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { burnFactor, errorBudgetRatio } from '../../../src/slo/model.js';
import { burnScenarios, thresholdMargin } from '../../../src/slo/rules/burn-scenario.js';
import { ruleGroupNames } from '../../../src/slo/rules/generate.js';
import { labelsFor } from '../../../src/slo/rules/label-synthesis.js';
import {
  parseLinearQuery,
  parseLinearRatio,
  type LinearQuery,
} from '../../../src/slo/rules/promql-linear.js';
import { generatePromtoolTests } from '../../../src/slo/rules/promtool-tests.js';
import { planSeries } from '../../../src/slo/rules/series-plan.js';
import { buildSlo } from '../builders.js';
import { segmentedSlos } from './segmented-example.js';

const hour = 3_600_000;

function linear(query: string): LinearQuery {
  const parsed = parseLinearQuery(query);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('SLI queries are read as sums of rate() terms', () => {
  it('an events query: one term with its selector and the sum around it', () => {
    expect(linear('sum(rate(http_requests_total{route="/api/checkout",code=~"5.."}[5m]))')).toEqual([
      {
        coefficient: 1,
        fn: 'rate',
        selector: {
          metric: 'http_requests_total',
          matchers: [
            { label: 'route', op: '=', value: '/api/checkout' },
            { label: 'code', op: '=~', value: '5..' },
          ],
        },
        groupings: [{ kind: 'by', labels: [] }],
      },
    ]);
  });

  it('a latency query (all minus the fast bucket) has a negative term', () => {
    const terms = linear('(sum(rate(d_count{r="a"}[5m])) - sum(rate(d_bucket{r="a",le="0.5"}[5m])))');
    expect(terms.map((t) => [t.selector.metric, t.coefficient])).toEqual([
      ['d_count', 1],
      ['d_bucket', -1],
    ]);
  });

  it('a raw `errors / total` ratio splits into its two sides', () => {
    const parsed = parseLinearRatio('sum(rate(a{c="5"}[5m]))\n/\nsum(rate(a[5m]))');
    expect(parsed.ok && [parsed.value.errors.length, parsed.value.total.length]).toEqual([1, 1]);
  });

  it.each([
    [
      'histogram_quantile(0.9, sum(rate(d_bucket[5m])) by (le))',
      'function histogram_quantile() is not supported',
    ],
    ['1 - sum(rate(a[5m]))', 'is not a sum of rate() or increase() terms'],
    ['sum(rate(a[5m])) / on(x) sum(rate(b[5m]))', 'vector matching modifiers are not supported'],
    ['avg(rate(a[5m]))', 'only sum() aggregations are supported'],
    ['sum(rate(a[5m])', 'does not parse'],
  ])('%s is not linear (%s)', (query, reason) => {
    const parsed = parseLinearQuery(query);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe('label values are synthesized from matchers', () => {
  const selector = (matchers: string) =>
    linear(`rate(m{${matchers}}[5m])`)[0]?.selector ?? { metric: 'm', matchers: [] };

  it.each([
    ['code="200"', { code: '200' }],
    ['code=~"5.."', { code: '500' }],
    ['code=~"(5..|429)"', { code: '500' }],
    ['route=~"/api/products.*"', { route: '/api/products' }],
    ['code=~"5\\\\d{2}"', { code: '500' }],
    ['code!="500"', {}],
    ['code!~"5.."', {}],
    ['code!=""', { code: 'x' }],
  ])('%s gives %o', (matchers, labels) => {
    expect(labelsFor(selector(matchers))).toEqual(labels);
  });

  it('gives up when the first alternative is excluded by another matcher', () => {
    expect(labelsFor(selector('code=~"5..",code!="500"'))).toBeUndefined();
  });
});

describe('counter rates are solved so the queries read the wanted ratio', () => {
  it('an error series that also counts in the total, plus a good series', () => {
    const plan = planSeries(
      linear('sum(rate(a{job="x",code=~"5.."}[5m]))'),
      linear('sum(rate(a{job="x"}[5m]))'),
    );
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.value.series).toEqual([
      { metric: 'a', labels: { job: 'x', code: '500' } },
      { metric: 'a', labels: { job: 'x' } },
    ]);
    expect(plan.value.rates(0.2, 10)).toEqual([0.2, 9.8]);
    expect(plan.value.rates(0, 10)).toEqual([0, 10]);
  });

  it('a latency SLI: the fast bucket counts total − slow', () => {
    const plan = planSeries(
      linear('(sum(rate(d_count{r="a"}[5m])) - sum(rate(d_bucket{r="a",le="0.5"}[5m])))'),
      linear('sum(rate(d_count{r="a"}[5m]))'),
    );
    expect(plan.ok && plan.value.rates(1, 10)).toEqual([10, 9]);
  });

  it('refuses queries that keep labels the two sides would not share', () => {
    const plan = planSeries(
      linear('sum by (code) (rate(a{code="500"}[5m]))'),
      linear('sum by (code) (rate(a[5m]))'),
    );
    expect(plan.ok).toBe(false);
  });
});

describe('burn scenarios sit just above and just below the quick threshold', () => {
  const slo = buildSlo({ objective: 99.5 });
  const [page, ticket] = slo.alerting.tiers;

  it('ratios derive from burnFactor and errorBudgetRatio', () => {
    const outcome = burnScenarios(slo, page, hour);
    if (!outcome.ok) throw new Error(outcome.reason);
    const threshold = burnFactor(page.quick, slo.periodMs) * errorBudgetRatio(slo.objective);
    const [fires, quiet] = outcome.scenarios;
    expect(fires.errorRatio).toBeCloseTo(threshold * (1 + thresholdMargin), 12);
    expect(quiet.errorRatio).toBeCloseTo(threshold * (1 - thresholdMargin), 12);
    expect(fires.burstMs).toBe(hour);
  });

  it('the ticket tier replays its whole slow window so the slow pair stays below its own threshold', () => {
    const outcome = burnScenarios(slo, ticket, hour);
    expect(outcome.ok && outcome.scenarios.map((s) => [s.burstMs / hour, s.lengthMs / hour])).toEqual([
      [24, 72],
      [24, 72],
    ]);
  });

  it('a threshold above 100 % errors cannot be tested', () => {
    const outcome = burnScenarios(buildSlo({ objective: 90 }), page, hour);
    expect(outcome.ok ? '' : outcome.reason).toBe(
      'the page threshold needs more than 100 % errors at objective 90',
    );
  });
});

describe('the promtool test file', () => {
  interface TestFile {
    group_eval_order: string[];
    evaluation_interval: string;
    tests: { name: string; interval: string; promql_expr_test: { expr: string }[] }[];
  }

  it('orders rule groups as generated, recordings before the alerts that read them', () => {
    const slos = segmentedSlos();
    const file = parse(generatePromtoolTests(slos, 'rules.yaml')) as TestFile;
    expect(file.group_eval_order).toEqual(ruleGroupNames(slos));
    expect(file.evaluation_interval).toBe('1h');
  });

  it('lists SLOs it cannot cover in a comment, with the reason', () => {
    const slo = buildSlo({
      name: 'latency-p90',
      sli: {
        kind: 'raw',
        errorRatioQuery: 'histogram_quantile(0.9, sum by (le) (rate(d_bucket[{{.window}}]))) > bool 0.5',
      },
    });
    const text = generatePromtoolTests([slo], 'rules.yaml');
    expect(text).toContain('# Not covered: store-latency-p90: ');
    expect((parse(text) as TestFile).tests).toEqual([]);
  });

  it('keeps SLOs that read the same series in separate test groups', () => {
    const twin = buildSlo({ name: 'checkout-twin' });
    const file = parse(generatePromtoolTests([buildSlo(), twin], 'rules.yaml')) as TestFile;
    expect(file.tests.map((t) => t.promql_expr_test.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
