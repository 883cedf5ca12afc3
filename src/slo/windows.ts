import type { BurnWindow, TierName } from './model.js';

/**
 * Default burn-rate windows: the multiwindow, multi-burn-rate table of Google's SRE workbook
 * ("Alerting on SLOs", table 5-8), as Sloth applies it. Budgets are percentages of the period's
 * budget, so the same table serves any period: factors are computed, never hard-coded.
 */
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export interface TierWindows {
  readonly quick: BurnWindow;
  readonly slow: BurnWindow;
}

export const defaultWindows: Readonly<Record<TierName, TierWindows>> = {
  page: {
    quick: { budgetPercent: 2, shortWindowMs: 5 * minute, longWindowMs: hour },
    slow: { budgetPercent: 5, shortWindowMs: 30 * minute, longWindowMs: 6 * hour },
  },
  ticket: {
    quick: { budgetPercent: 10, shortWindowMs: 2 * hour, longWindowMs: day },
    slow: { budgetPercent: 10, shortWindowMs: 6 * hour, longWindowMs: 3 * day },
  },
};

/** Every distinct window an SLO's rules need, in ascending order (Sloth's recording order). */
export function alertWindowsOf(tiers: readonly { quick: BurnWindow; slow: BurnWindow }[]): number[] {
  const set = new Set<number>();
  for (const tier of tiers) {
    for (const w of [tier.quick, tier.slow]) {
      set.add(w.shortWindowMs);
      set.add(w.longWindowMs);
    }
  }
  return [...set].sort((a, b) => a - b);
}
