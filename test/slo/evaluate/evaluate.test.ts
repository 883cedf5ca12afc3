import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { evaluateSlos } from '../../../src/slo/evaluate/evaluate.js';
import { defaultPolicy } from '../../../src/slo/evaluate/policy.js';
import { burnFactor, errorBudgetRatio, type Slo } from '../../../src/slo/model.js';
import { defaultWindows } from '../../../src/slo/windows.js';
import { buildSlo, tier } from '../builders.js';
import { at, fakeSource, ms } from './fakes.js';

const clock = fixedClock(at);
const budget = errorBudgetRatio(99.9);
const period = 30 * ms.day;
const options = { at: clock.now(), policy: defaultPolicy };

function segmentSlo(segment: string, overrides: Partial<Slo> = {}): Slo {
  return buildSlo({
    name: `checkout-availability-${segment}`,
    baseName: 'checkout-availability',
    segment: { label: 'segment', value: segment },
    ...overrides,
  });
}

describe('SLI, error budget and burn rates', () => {
  it('an SLO burning half its budget rate keeps half its budget and passes', async () => {
    const source = fakeSource({}, { fallback: { errorRatio: 0.0005, events: 100_000 } });
    const { slos, verdict } = await evaluateSlos([buildSlo()], source, options);
    const [result] = slos;
    expect(verdict).toBe('pass');
    expect(result?.sli).toBeCloseTo(0.9995, 12);
    expect(result?.budgetRemaining).toBeCloseTo(0.5, 12);
    expect(result?.period).toMatchObject({ windowMs: period, errorRatio: 0.0005, events: 100_000 });
    expect(result?.tiers.map((t) => [t.name, t.firing])).toEqual([
      ['page', false],
      ['ticket', false],
    ]);
    expect(result?.tiers[0]?.quick.long.burnRate).toBeCloseTo(0.5, 12);
    expect(result?.verdict).toBe('pass');
    expect(result?.reasons).toEqual([]);
  });

  it('measures the period and every alert window once, all at the evaluation time', async () => {
    const source = fakeSource({});
    await evaluateSlos([buildSlo()], source, options);
    const windows = source.calls.map((c) => c.windowMs).sort((a, b) => a - b);
    expect(windows).toEqual([
      5 * ms.minute,
      30 * ms.minute,
      ms.hour,
      2 * ms.hour,
      6 * ms.hour,
      ms.day,
      3 * ms.day,
      period,
    ]);
    expect(new Set(source.calls.map((c) => c.atMs))).toEqual(new Set([at]));
  });

  it('thresholds are the SRE workbook factors for a 30 d period: 14.4, 6, 3 and 1', async () => {
    const { slos } = await evaluateSlos([buildSlo()], fakeSource({}), options);
    const [page, ticket] = slos[0]?.tiers ?? [];
    expect(page?.quick.threshold).toBeCloseTo(14.4, 10);
    expect(page?.slow.threshold).toBeCloseTo(6, 10);
    expect(ticket?.quick.threshold).toBeCloseTo(3, 10);
    expect(ticket?.slow.threshold).toBeCloseTo(1, 10);
  });

  it('a spent budget fails the default policy, naming the remaining budget', async () => {
    const source = fakeSource({ [period]: { errorRatio: 0.002 } }, { fallback: { errorRatio: 0 } });
    const { slos, verdict } = await evaluateSlos([buildSlo()], source, options);
    expect(verdict).toBe('fail');
    expect(slos[0]?.budgetRemaining).toBeCloseTo(-1, 12);
    expect(slos[0]?.reasons).toEqual([
      { step: 'budget-exhausted', action: 'fail', message: 'error budget remaining -100.0% is below 0%' },
    ]);
  });
});

describe('which tiers fire', () => {
  const fast = { errorRatio: 0.02, events: 50_000 };

  it('a burn over both page quick windows fires the page tier and fails the default policy', async () => {
    const source = fakeSource(
      { [5 * ms.minute]: fast, [ms.hour]: fast },
      { fallback: { errorRatio: 0.0005 } },
    );
    const { slos } = await evaluateSlos([buildSlo()], source, options);
    const [page, ticket] = slos[0]?.tiers ?? [];
    expect(page).toMatchObject({ firing: true, quick: { firing: true }, slow: { firing: false } });
    expect(page?.quick.short.burnRate).toBeCloseTo(20, 10);
    expect(ticket?.firing).toBe(false);
    expect(slos[0]?.verdict).toBe('fail');
    expect(slos[0]?.reasons).toEqual([
      {
        step: 'page-burn',
        action: 'fail',
        message:
          'page tier (severity page) is firing: burn rate 20.00 over 5m and 20.00 over 1h, above 14.40',
      },
    ]);
  });

  it('a burn over the long window alone (an incident already over) does not fire', async () => {
    const source = fakeSource({ [ms.hour]: fast }, { fallback: { errorRatio: 0.0005 } });
    const { slos } = await evaluateSlos([buildSlo()], source, options);
    expect(slos[0]?.tiers[0]?.firing).toBe(false);
    expect(slos[0]?.verdict).toBe('pass');
  });

  it('a ratio exactly at factor × budget does not fire, as `>` in the alert expression does not', async () => {
    const edge = burnFactor(defaultWindows.page.quick, period) * budget;
    const atEdge = fakeSource({ [5 * ms.minute]: { errorRatio: edge }, [ms.hour]: { errorRatio: edge } });
    expect((await evaluateSlos([buildSlo()], atEdge, options)).slos[0]?.tiers[0]?.firing).toBe(false);
    const above = edge * (1 + 1e-12);
    const over = fakeSource({ [5 * ms.minute]: { errorRatio: above }, [ms.hour]: { errorRatio: above } });
    expect((await evaluateSlos([buildSlo()], over, options)).slos[0]?.tiers[0]?.firing).toBe(true);
  });

  it('a disabled tier reports its burn but never fires', async () => {
    const slo = buildSlo({
      alerting: { ...buildSlo().alerting, tiers: [tier('page', { enabled: false }), tier('ticket')] },
    });
    const source = fakeSource({ [5 * ms.minute]: fast, [ms.hour]: fast });
    const { slos } = await evaluateSlos([slo], source, options);
    expect(slos[0]?.tiers[0]).toMatchObject({ enabled: false, firing: false, quick: { firing: true } });
    expect(slos[0]?.verdict).toBe('pass');
  });

  it('minEvents holds a condition back when its long window counted fewer events', async () => {
    const slo = buildSlo({ minEvents: { minEvents: 100, totalQuery: 'sum(rate(x[{{.window}}]))' } });
    const quiet = fakeSource({
      [5 * ms.minute]: { errorRatio: 0.5, events: 4 },
      [ms.hour]: { errorRatio: 0.5, events: 40 },
    });
    const held = (await evaluateSlos([slo], quiet, options)).slos[0]?.tiers[0];
    expect(held).toMatchObject({ firing: false, quick: { belowMinEvents: true, firing: false } });

    const busy = fakeSource({
      [5 * ms.minute]: { errorRatio: 0.5, events: 4 },
      [ms.hour]: { errorRatio: 0.5, events: 400 },
    });
    expect((await evaluateSlos([slo], busy, options)).slos[0]?.tiers[0]?.firing).toBe(true);
  });

  it('minEvents does not hold back a source that cannot count events', async () => {
    const slo = buildSlo({ minEvents: { minEvents: 100, totalQuery: 'sum(rate(x[{{.window}}]))' } });
    const source = fakeSource({ [5 * ms.minute]: { errorRatio: 0.5 }, [ms.hour]: { errorRatio: 0.5 } });
    expect((await evaluateSlos([slo], source, options)).slos[0]?.tiers[0]?.firing).toBe(true);
  });

  it('a page tier routed as a ticket for one segment does not fail the default policy', async () => {
    const guest = segmentSlo('guest', {
      alerting: { ...buildSlo().alerting, tiers: [tier('page', { severity: 'ticket' }), tier('ticket')] },
    });
    const source = fakeSource({ [5 * ms.minute]: fast, [ms.hour]: fast });
    const { slos } = await evaluateSlos([guest], source, options);
    expect(slos[0]?.tiers[0]?.firing).toBe(true);
    expect(slos[0]?.verdict).toBe('pass');
  });
});

describe('the evaluation as a whole', () => {
  it('fails when any segment fails, keeps the SLO order and names its source', async () => {
    const guest = segmentSlo('guest');
    const vip = segmentSlo('vip');
    const source = fakeSource(
      {},
      {
        fallback: { errorRatio: 0.0001 },
        bySlo: { [vip.id]: { [period]: { errorRatio: 0.01 } } },
        fixedWindowMs: 10 * ms.minute,
      },
    );
    const evaluation = await evaluateSlos([guest, vip], source, options);
    expect(evaluation.verdict).toBe('fail');
    expect(evaluation.slos.map((r) => [r.slo.segment?.value, r.verdict])).toEqual([
      ['guest', 'pass'],
      ['vip', 'fail'],
    ]);
    expect(evaluation).toMatchObject({
      atMs: at,
      origin: 'fake://prometheus',
      fixedWindowMs: 10 * ms.minute,
    });
  });

  it('passes with no SLO failing even when the policy warns', async () => {
    const source = fakeSource({}, { fallback: { errorRatio: 0.0009 } });
    const policy = {
      noData: 'warn' as const,
      steps: [{ name: 'low', when: { budgetRemainingBelow: 25 }, action: 'warn' as const }],
    };
    const evaluation = await evaluateSlos([buildSlo()], source, { at, policy });
    expect(evaluation.slos[0]?.verdict).toBe('warn');
    expect(evaluation.verdict).toBe('pass');
  });
});
