/** The cells every renderer shares (their figures written by number-format.ts), so they all print the same. */
import { formatDuration } from '../../core/duration.js';
import type { TierName } from '../model.js';
import type { Evaluation, SloResult } from './evaluate.js';
import type { TierResult, Verdict, WindowBurn } from './measurement.js';
import { formatBudget, formatBurn, formatSli, windowName } from './number-format.js';

export function sloLabel(result: SloResult): string {
  return `${result.slo.service}/${result.slo.baseName}`;
}

export function segmentLabel(result: SloResult): string {
  return result.slo.segment?.value ?? '-';
}

/** `PASS`, `WARN`, `FAIL`, `NO DATA`. */
export function verdictLabel(verdict: Verdict): string {
  return verdict === 'no-data' ? 'NO DATA' : verdict.toUpperCase();
}

/** Budget left; `-` without enough data, since a ratio of a handful of events extrapolates to nonsense. */
export function budgetCell(result: SloResult): string {
  return result.noData ? '-' : formatBudget(result.budgetRemaining);
}

/** `4 out of stock, 2 declined`: answers about the order, which are not errors; `-` for none. */
export function businessOutcomesCell(result: SloResult): string {
  const counts = result.period.businessOutcomes;
  if (!counts) return '-';
  const parts = [
    ...(counts.outOfStock > 0 ? [`${counts.outOfStock} out of stock`] : []),
    ...(counts.declined > 0 ? [`${counts.declined} declined`] : []),
    ...(counts.pending > 0 ? [`${counts.pending} pending`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** Whether a report shows the business outcomes column: only sources that count them (load results). */
export function showsBusinessOutcomes(evaluation: Evaluation): boolean {
  return evaluation.slos.some((result) => result.period.businessOutcomes !== undefined);
}

/**
 * One cell per tier: burn rates of the quick and slow long windows (the windows that carry the
 * evidence), then the state. A load run has one window, so its cell shows one figure.
 */
export function tierCell(tier: TierResult, fixedWindowMs: number | undefined): string {
  const burn = (w: WindowBurn): string =>
    `${windowName(w.windowMs, fixedWindowMs)}=${formatBurn(w.burnRate)}`;
  const figures =
    fixedWindowMs === undefined ? `${burn(tier.quick.long)} ${burn(tier.slow.long)}` : burn(tier.quick.long);
  if (!tier.enabled) return `${figures} (off)`;
  return tier.firing ? `${figures} FIRING` : figures;
}

/** The cell of the named tier, or `-` for a spec without it. */
export function tierColumn(result: SloResult, name: TierName, fixedWindowMs: number | undefined): string {
  const tier = result.tiers.find((t) => t.name === name);
  return tier && !result.noData ? tierCell(tier, fixedWindowMs) : '-';
}

/** The SLI; without enough data, the figure with its event count, or `no data` when nothing came. */
export function sliCell(result: SloResult): string {
  if (!result.noData) return formatSli(result.sli, result.slo.objective);
  if (result.noData.events === 0) return 'no data';
  return `${formatSli(result.sli, result.slo.objective)} (${result.noData.events} events)`;
}

export interface VerdictCounts {
  readonly pass: number;
  readonly warn: number;
  readonly fail: number;
  readonly noData: number;
}

export function countVerdicts(evaluation: Evaluation): VerdictCounts {
  const counts = { pass: 0, warn: 0, fail: 0, noData: 0 };
  for (const result of evaluation.slos) counts[result.verdict === 'no-data' ? 'noData' : result.verdict] += 1;
  return counts;
}

/** `12 SLOs, 6 pass, 0 warn, 0 fail, 6 no data`. */
export function countsLine(evaluation: Evaluation): string {
  const c = countVerdicts(evaluation);
  return `${evaluation.slos.length} SLOs, ${c.pass} pass, ${c.warn} warn, ${c.fail} fail, ${c.noData} no data`;
}

/** Said once under every report of a results file, since its windows are not what their names claim. */
export function fixedWindowNote(fixedWindowMs: number): string {
  return `The results cover only the load run (${formatDuration(fixedWindowMs)}): the period and every alert window are measured over the run.`;
}
