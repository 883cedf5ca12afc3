import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { evaluateSlos } from '../../../src/slo/evaluate/evaluate.js';
import {
  defaultPolicy,
  parsePolicy,
  unmatchableSteps,
  type BudgetPolicy,
} from '../../../src/slo/evaluate/policy.js';
import type { Slo } from '../../../src/slo/model.js';
import { buildSlo, tier } from '../builders.js';
import { at, fakeSource, ms } from './fakes.js';

function findingsOf(text: string): string[] {
  try {
    parsePolicy('policy.yaml', text);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.lines();
    throw error;
  }
}

function segmentSlo(segment: string): Slo {
  return buildSlo({
    name: `checkout-availability-${segment}`,
    segment: { label: 'segment', value: segment },
  });
}

describe('policy files', () => {
  it('reads steps with their conditions, segments and messages', () => {
    const policy = parsePolicy(
      'policy.yaml',
      [
        'apiVersion: shopsre/v1',
        'kind: BudgetPolicy',
        'steps:',
        '  - name: freeze',
        '    when: { budgetRemainingBelow: 0 }',
        '    action: fail',
        '    message: Budget spent; only reliability fixes ship.',
        '  - name: vip-low',
        '    when: { budgetRemainingBelow: 25, sliBelowObjective: false }',
        '    segments: [vip]',
        '    action: warn',
      ].join('\n'),
    );
    expect(policy.steps).toEqual([
      {
        name: 'freeze',
        when: { budgetRemainingBelow: 0 },
        action: 'fail',
        message: 'Budget spent; only reliability fixes ship.',
      },
      {
        name: 'vip-low',
        when: { budgetRemainingBelow: 25, sliBelowObjective: false },
        segments: ['vip'],
        action: 'warn',
      },
    ]);
  });

  it('a misspelt condition is a finding at its line and column, with a suggestion', () => {
    const text = [
      'apiVersion: shopsre/v1',
      'kind: BudgetPolicy',
      'steps:',
      '  - name: a',
      '    when:',
      '      budgetRemainingBellow: 10',
      '    action: fail',
    ].join('\n');
    expect(findingsOf(text)).toEqual([
      'policy.yaml:6:7: unknown key "budgetRemainingBellow" (did you mean "budgetRemainingBelow"?) (at steps[0].when)',
      'policy.yaml:6:7: give at least one condition: budgetRemainingBelow, burnTierFiring or sliBelowObjective (at steps[0].when)',
    ]);
  });

  it('reports every bad field of every step, not only the first', () => {
    const text = [
      'apiVersion: shopsre/v1',
      'kind: BudgetPolicy',
      'steps:',
      '  - name: a',
      '    when: {}',
      '    action: block',
      '  - name: b',
      '    when: { burnTierFiring: page }',
      '    action: fail',
      '    segments: []',
    ].join('\n');
    const findings = findingsOf(text);
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatch(/^policy\.yaml:5:11: give at least one condition/);
    expect(findings[1]).toMatch(/^policy\.yaml:6:13: .*"fail".*"warn".* \(at steps\[0\]\.action\)$/);
    expect(findings[2]).toMatch(/^policy\.yaml:10:15: .* \(at steps\[1\]\.segments\)$/);
  });

  it('a step name used twice is a finding at the second one', () => {
    const text = [
      'apiVersion: shopsre/v1',
      'kind: BudgetPolicy',
      'steps:',
      '  - { name: gate, when: { budgetRemainingBelow: 0 }, action: fail }',
      '  - { name: gate, when: { burnTierFiring: page }, action: fail }',
    ].join('\n');
    expect(findingsOf(text)).toEqual([
      'policy.yaml:5:13: step name "gate" is already used by steps[0]; reports name steps, so make it unique',
    ]);
  });

  it('another kind of document, or broken YAML, is a located finding', () => {
    expect(findingsOf('apiVersion: shopsre/v1\nkind: SLO\nsteps: []\n')[0]).toMatch(
      /^policy\.yaml:2:7: .*BudgetPolicy/,
    );
    expect(findingsOf('steps: [\n')[0]).toMatch(/^policy\.yaml:\d+:\d+: /);
  });
});

describe('policy steps', () => {
  const spent = { [30 * ms.day]: { errorRatio: 0.0008 } };
  const evaluate = (slos: readonly Slo[], policy: BudgetPolicy) =>
    evaluateSlos(slos, fakeSource(spent, { fallback: { errorRatio: 0.0001 } }), { at, policy });

  it('a step limited to segments applies to those segments only', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [{ name: 'vip-low', when: { budgetRemainingBelow: 25 }, segments: ['vip'], action: 'warn' }],
    };
    const { slos } = await evaluate([segmentSlo('guest'), segmentSlo('vip')], policy);
    expect(slos.map((r) => r.verdict)).toEqual(['pass', 'warn']);
    expect(slos[1]?.reasons).toEqual([
      { step: 'vip-low', action: 'warn', message: 'error budget remaining 20.0% is below 25%' },
    ]);
  });

  it('every condition of a step must hold', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [{ name: 'both', when: { budgetRemainingBelow: 25, sliBelowObjective: true }, action: 'fail' }],
    };
    expect((await evaluate([buildSlo()], policy)).slos[0]?.verdict).toBe('pass');
  });

  it('sliBelowObjective: false matches an SLO meeting its objective', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [{ name: 'ok', when: { sliBelowObjective: false }, action: 'warn' }],
    };
    expect((await evaluate([buildSlo()], policy)).slos[0]?.reasons[0]?.message).toBe(
      'SLI 99.920% meets the objective 99.9%',
    );
  });

  it('every matching step is reported, in policy order, with its message before the facts', async () => {
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [
        {
          name: 'low',
          when: { budgetRemainingBelow: 50 },
          action: 'warn',
          message: 'Slow down risky releases',
        },
        { name: 'very-low', when: { budgetRemainingBelow: 30 }, action: 'fail' },
        { name: 'spent', when: { budgetRemainingBelow: 0 }, action: 'fail' },
      ],
    };
    const [result] = (await evaluate([buildSlo()], policy)).slos;
    expect(result?.verdict).toBe('fail');
    expect(result?.reasons).toEqual([
      {
        step: 'low',
        action: 'warn',
        message: 'Slow down risky releases (error budget remaining 20.0% is below 50%)',
      },
      { step: 'very-low', action: 'fail', message: 'error budget remaining 20.0% is below 30%' },
    ]);
  });

  it('burnTierFiring matches the severity a firing tier routes to', async () => {
    const slo = buildSlo({
      alerting: { ...buildSlo().alerting, tiers: [tier('page', { severity: 'critical' }), tier('ticket')] },
    });
    const fast = { errorRatio: 0.05 };
    const source = fakeSource({ [5 * ms.minute]: fast, [ms.hour]: fast });
    const policy: BudgetPolicy = {
      noData: 'warn',
      steps: [{ name: 'crit', when: { burnTierFiring: 'critical' }, action: 'fail' }],
    };
    const { slos } = await evaluateSlos([slo], source, { at, policy });
    expect(slos[0]?.reasons.map((r) => r.step)).toEqual(['crit']);
  });

  it('a step naming a severity no tier has is reported as one that can never match', () => {
    const slo = buildSlo({
      alerting: {
        ...buildSlo().alerting,
        tiers: [tier('page', { severity: 'critical' }), tier('ticket', { severity: 'warning' })],
      },
    });
    expect(unmatchableSteps(defaultPolicy, [slo]).map((s) => s.name)).toEqual(['page-burn']);
    expect(unmatchableSteps(defaultPolicy, [buildSlo()])).toEqual([]);
  });
});
