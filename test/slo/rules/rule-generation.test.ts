import { describe, expect, it } from 'vitest';
import { burnFactor, errorBudgetRatio, type Slo } from '../../../src/slo/model.js';
import { generateRuleGroups, ruleGroupNames } from '../../../src/slo/rules/generate.js';
import { formatGoFloat } from '../../../src/slo/rules/go-float.js';
import {
  isRecordingRule,
  type AlertingRule,
  type RecordingRule,
  type RuleGroup,
} from '../../../src/slo/rules/rule-group.js';
import { buildSlo, tier } from '../builders.js';
import { segmentedSlos } from './segmented-example.js';

const options = { version: 'test', mode: 'cli-gen-prom' } as const;
const day = 86_400_000;

function rulesOf(groups: readonly RuleGroup[]): { records: RecordingRule[]; alerts: AlertingRule[] } {
  const rules = groups.flatMap((g) => g.rules);
  return {
    records: rules.filter(isRecordingRule),
    alerts: rules.filter((r): r is AlertingRule => !isRecordingRule(r)),
  };
}

function alertOf(slo: Slo, tierName: 'page' | 'ticket', compat?: 'sloth'): AlertingRule {
  const { alerts } = rulesOf(generateRuleGroups([slo], { ...options, compat }));
  const alert = alerts.find((a) => a.labels.sloth_severity === tierName);
  if (!alert) throw new Error(`no ${tierName} alert`);
  return alert;
}

describe('rule groups come per SLO in Sloth order', () => {
  it('SLI recordings, meta recordings, then alerts; no alert group when both tiers are disabled', () => {
    const quiet = buildSlo({
      name: 'quiet',
      alerting: {
        ...buildSlo().alerting,
        tiers: [tier('page', { enabled: false }), tier('ticket', { enabled: false })],
      },
    });
    const names = generateRuleGroups([buildSlo(), quiet], options).map((g) => g.name);
    expect(names).toEqual([
      'sloth-slo-sli-recordings-store-checkout-availability',
      'sloth-slo-meta-recordings-store-checkout-availability',
      'sloth-slo-alerts-store-checkout-availability',
      'sloth-slo-sli-recordings-store-quiet',
      'sloth-slo-meta-recordings-store-quiet',
    ]);
    expect(ruleGroupNames([buildSlo(), quiet])).toEqual(names);
  });

  it('records the SLI for every alert window and the period, the period from the smallest window', () => {
    const { records } = rulesOf(generateRuleGroups([buildSlo({ periodMs: 28 * day })], options));
    const sli = records.filter((r) => r.record.startsWith('slo:sli_error:'));
    expect(sli.map((r) => r.record.replace('slo:sli_error:ratio_rate', ''))).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
      '4w',
    ]);
    expect(sli.at(-1)?.expr).toContain('sum_over_time(slo:sli_error:ratio_rate5m{');
    expect(sli.at(-1)?.labels.sloth_window).toBe('4w');
  });
});

describe('thresholds come from the window data, never from constants', () => {
  it('a custom page budget changes the threshold to budget share × period / long window', () => {
    const page = tier('page', {
      quick: { budgetPercent: 3, shortWindowMs: 300_000, longWindowMs: 3_600_000 },
    });
    const slo = buildSlo({
      objective: 99.5,
      alerting: { ...buildSlo().alerting, tiers: [page, tier('ticket')] },
    });
    const factor = burnFactor(page.quick, slo.periodMs);
    expect(factor).toBeCloseTo(21.6);
    expect(alertOf(slo, 'page').expr).toContain(
      `> (${formatGoFloat(factor)} * ${formatGoFloat(errorBudgetRatio(99.5))})`,
    );
  });
});

describe('default output adds what Sloth leaves out', () => {
  const slo = segmentedSlos()[0];
  if (!slo) throw new Error('example');

  it('zero traffic records a ratio of 0, not NaN: the denominator must be > 0 and vector(0) fills in', () => {
    const { records } = rulesOf(generateRuleGroups([slo], options));
    const fiveMinutes = records.find((r) => r.record === 'slo:sli_error:ratio_rate5m');
    expect(fiveMinutes?.expr).toBe(
      '(\n' +
        '  (sum(rate(http_requests_total{route="/api/checkout",segment="guest",status_class="5xx"}[5m])))\n' +
        '  /\n' +
        '  ((sum(rate(http_requests_total{route="/api/checkout",segment="guest"}[5m]))) > 0)\n' +
        ')\n' +
        'or on() vector(0)\n',
    );
  });

  it('alerts carry severity, the segment, budget_exhaustion, runbook_url and for:', () => {
    const page = alertOf(slo, 'page');
    expect(page.for).toBe('2m');
    expect(page.labels).toEqual({
      budget_exhaustion: '2d2h',
      segment: 'guest',
      severity: 'ticket',
      sloth_severity: 'page',
    });
    expect(page.annotations.runbook_url).toBe('https://runbooks.example.com/checkout-availability');
    expect(alertOf(slo, 'ticket').for).toBeUndefined();
  });

  it('labels the user sets win over generated ones, as in Sloth', () => {
    const custom = {
      ...slo,
      alerting: { ...slo.alerting, labels: { severity: 'critical', team: 'checkout' } },
    };
    expect(alertOf(custom, 'page').labels).toMatchObject({ severity: 'critical', team: 'checkout' });
  });

  it('minEvents records the events of each long window and guards every window pair on sloth_id', () => {
    const { records } = rulesOf(generateRuleGroups([slo], options));
    const events = records.filter((r) => r.record.startsWith('slo:sli_total:events'));
    expect(events.map((r) => [r.record, r.expr])).toEqual([
      [
        'slo:sli_total:events1h',
        '(sum(rate(http_requests_total{route="/api/checkout",segment="guest"}[1h]))) * 3600',
      ],
      [
        'slo:sli_total:events6h',
        '(sum(rate(http_requests_total{route="/api/checkout",segment="guest"}[6h]))) * 21600',
      ],
      [
        'slo:sli_total:events1d',
        '(sum(rate(http_requests_total{route="/api/checkout",segment="guest"}[1d]))) * 86400',
      ],
      [
        'slo:sli_total:events3d',
        '(sum(rate(http_requests_total{route="/api/checkout",segment="guest"}[3d]))) * 259200',
      ],
    ]);
    const guards = alertOf(slo, 'page').expr.match(
      /and on\(sloth_id\)\n\s+max\(slo:sli_total:events(\w+)\{[^}]*\} >= 20\) without \(sloth_window\)/g,
    );
    expect(guards).toHaveLength(2);
  });

  it('with --compat sloth none of it appears', () => {
    const groups = generateRuleGroups([slo], { ...options, compat: 'sloth' });
    const { records, alerts } = rulesOf(groups);
    expect(records.some((r) => r.record.startsWith('slo:sli_total:'))).toBe(false);
    expect(records.find((r) => r.record === 'slo:sli_error:ratio_rate5m')?.expr).not.toContain('vector(0)');
    for (const alert of alerts) {
      expect(alert.for).toBeUndefined();
      expect(Object.keys(alert.labels)).toEqual(['sloth_severity']);
      expect(alert.annotations.runbook_url).toBeUndefined();
    }
  });
});

describe('a segmented generation is a valid set of series', () => {
  const groups = generateRuleGroups(segmentedSlos(), options);

  it('no two recording rules write the same series (record name and label set)', () => {
    const series = rulesOf(groups).records.map((r) => `${r.record}${JSON.stringify(r.labels)}`);
    expect(new Set(series).size).toBe(series.length);
  });

  it('every label and annotation map is sorted by key', () => {
    for (const rule of groups.flatMap((g) => g.rules)) {
      const maps = isRecordingRule(rule) ? [rule.labels] : [rule.labels, rule.annotations];
      for (const map of maps) expect(Object.keys(map)).toEqual(Object.keys(map).sort());
    }
  });

  it('each segment has its own objective and the segment label on every rule', () => {
    const info = rulesOf(groups).records.filter((r) => r.record === 'sloth_slo_info');
    expect(info.map((r) => [r.labels.segment, r.labels.sloth_objective])).toEqual([
      ['guest', '99.5'],
      ['member', '99.9'],
      ['vip', '99.95'],
      [undefined, '99.9'],
    ]);
  });
});
