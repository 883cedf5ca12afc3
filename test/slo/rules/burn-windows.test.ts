import { describe, expect, it } from 'vitest';
import { burnFactor, type BurnWindow } from '../../../src/slo/model.js';
import { budgetExhaustion } from '../../../src/slo/rules/alert-rules.js';
import { defaultWindows } from '../../../src/slo/windows.js';
import { buildSlo } from '../builders.js';

const day = 86_400_000;
const windows: readonly [string, BurnWindow][] = [
  ['page quick', defaultWindows.page.quick],
  ['page slow', defaultWindows.page.slow],
  ['ticket quick', defaultWindows.ticket.quick],
  ['ticket slow', defaultWindows.ticket.slow],
];

describe('burn factors follow budget share × period / long window', () => {
  for (const periodDays of [7, 28, 30, 90]) {
    it.each(windows)(`%s over a ${periodDays}d period matches the formula`, (_name, window) => {
      const expected = (window.budgetPercent / 100) * ((periodDays * day) / window.longWindowMs);
      expect(burnFactor(window, periodDays * day)).toBeCloseTo(expected, 12);
    });
  }

  it('a 30d period gives the SRE workbook factors 14.4, 6, 3 and 1', () => {
    expect(windows.map(([, w]) => burnFactor(w, 30 * day))).toEqual([14.4, 6, 3, 1]);
  });

  it('a 28d period gives the exact floats Sloth prints (13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333)', () => {
    expect(windows.map(([, w]) => burnFactor(w, 28 * day))).toEqual([
      13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333,
    ]);
  });
});

describe('budget_exhaustion is the period divided by the quick window factor, in whole minutes', () => {
  // period / (share × period / long window) = long window / share: the period cancels out.
  it.each([
    [30, 'page', '2d2h'],
    [30, 'ticket', '10d'],
    [28, 'page', '2d2h'],
    [28, 'ticket', '10d'],
    [7, 'page', '2d2h'],
  ] as const)('%dd %s tier lasts %s', (periodDays, tierName, text) => {
    const slo = buildSlo({ periodMs: periodDays * day });
    const tier = slo.alerting.tiers.find((t) => t.name === tierName);
    if (!tier) throw new Error(tierName);
    expect(budgetExhaustion(slo, tier)).toBe(text);
  });

  it("Sloth's 7d catalog page window (8 % over 1h) lasts 12h30m", () => {
    const slo = buildSlo({ periodMs: 7 * day });
    const [page] = slo.alerting.tiers;
    const quick = { ...page.quick, budgetPercent: 8 };
    expect(budgetExhaustion(slo, { ...page, quick })).toBe('12h30m');
  });
});
