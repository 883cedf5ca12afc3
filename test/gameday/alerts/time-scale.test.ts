import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { burnFactor } from '../../../src/slo/model.js';
import { generateRuleGroups } from '../../../src/slo/rules/generate.js';
import { isRecordingRule } from '../../../src/slo/rules/rule-group.js';
import { scaleSlos } from '../../../src/slo/time-scale.js';
import { buildSlo, tier } from '../../slo/builders.js';

const second = 1000;
const minute = 60 * second;
const withFor = (forMs: number) =>
  buildSlo({ alerting: { ...buildSlo().alerting, tiers: [tier('page', { forMs }), tier('ticket')] } });

describe('scaling SLO time for a game day', () => {
  it('divides the period, every window and `for` by the scale: 1h → 1m, 5m → 5s, 30d → 12h, 2m → 2s', () => {
    const [scaled] = scaleSlos([withFor(2 * minute)], 60);
    expect(scaled?.periodMs).toBe(12 * 60 * minute);
    const [page, ticket] = scaled?.alerting.tiers ?? [];
    expect(page).toMatchObject({
      quick: { budgetPercent: 2, shortWindowMs: 5 * second, longWindowMs: minute },
      slow: { budgetPercent: 5, shortWindowMs: 30 * second, longWindowMs: 6 * minute },
      forMs: 2 * second,
    });
    expect(ticket).toMatchObject({
      quick: { shortWindowMs: 2 * minute, longWindowMs: 24 * minute },
      slow: { shortWindowMs: 6 * minute, longWindowMs: 72 * minute },
    });
    expect(ticket?.forMs).toBeUndefined();
  });

  it('keeps every burn factor (14.4, 6, 3, 1), since period and windows shrink together', () => {
    const original = buildSlo();
    const [scaled] = scaleSlos([original], 60);
    const factors = (slo: typeof original) =>
      slo.alerting.tiers.flatMap((t) => [
        burnFactor(t.quick, slo.periodMs),
        burnFactor(t.slow, slo.periodMs),
      ]);
    expect(factors(scaled ?? original).map((f) => Number(f.toFixed(9)))).toEqual([14.4, 6, 3, 1]);
  });

  it('names the scaled windows in the generated recordings (ratio_rate5s ... ratio_rate1h12m, ratio_rate12h)', () => {
    const groups = generateRuleGroups(scaleSlos([buildSlo()], 60), { version: 'test', mode: 'test' });
    const records = groups.flatMap((g) => g.rules.filter(isRecordingRule).map((r) => r.record));
    expect(records.filter((r) => r.startsWith('slo:sli_error:'))).toEqual([
      'slo:sli_error:ratio_rate5s',
      'slo:sli_error:ratio_rate30s',
      'slo:sli_error:ratio_rate1m',
      'slo:sli_error:ratio_rate2m',
      'slo:sli_error:ratio_rate6m',
      'slo:sli_error:ratio_rate24m',
      'slo:sli_error:ratio_rate1h12m',
      'slo:sli_error:ratio_rate12h',
    ]);
  });

  it('allows a `for` that becomes a whole number of milliseconds (30s / 60 = 500ms)', () => {
    expect(scaleSlos([withFor(30 * second)], 60)[0]?.alerting.tiers[0].forMs).toBe(500);
  });

  it('returns the SLOs unchanged at scale 1', () => {
    const slo = buildSlo();
    expect(scaleSlos([slo], 1)).toEqual([slo]);
  });

  it.each([
    [0.5, 'timeScale must be a number >= 1, got 0.5'],
    [Number.NaN, 'timeScale must be a number >= 1, got NaN'],
    [
      7,
      'SLO store-checkout-availability: the period: 30d divided by timeScale 7 is 370285.714s; ' +
        'scaled windows must be whole seconds of at least 1s: choose a smaller timeScale or one that divides every window',
    ],
    [
      600,
      "SLO store-checkout-availability: the page tier's quick windows: 5m divided by timeScale 600 is 0.5s; " +
        'scaled windows must be whole seconds of at least 1s: choose a smaller timeScale or one that divides every window',
    ],
  ])('refuses timeScale %s with a usage error that says why', (scale, message) => {
    expect(() => scaleSlos([buildSlo()], scale)).toThrow(new UsageError(message));
  });

  it('checks every window, not only the period (28d / 7 = 4d, but 5m / 7 is not whole seconds)', () => {
    expect(() => scaleSlos([buildSlo({ periodMs: 28 * 24 * 60 * minute })], 7)).toThrow(
      "SLO store-checkout-availability: the page tier's quick windows: 5m divided by timeScale 7 is 42.857s; " +
        'scaled windows must be whole seconds of at least 1s: choose a smaller timeScale or one that divides every window',
    );
  });

  it('refuses a `for` that does not divide into whole milliseconds', () => {
    expect(() => scaleSlos([withFor(7 * second)], 60)).toThrow(
      "SLO store-checkout-availability: the page tier's for: 7s divided by timeScale 60 is 0.117s, " +
        'not a whole number of milliseconds; choose a timeScale that divides it',
    );
  });
});
