import { formatDuration } from '../../core/duration.js';
import type { Slo } from '../model.js';
import { alertWindowsOf } from '../windows.js';
import { labelName, sliErrorRecord, sliTotalEventsRecord } from './conventions.js';
import { labelFilter, mergeLabels, renderWindow, sloIdLabels } from './rule-labels.js';
import type { RecordingRule, RuleFlavour } from './rule-group.js';

/**
 * The windows an SLO records its SLI over, in Sloth's order: every alert window ascending (of
 * disabled tiers too, as Sloth does), then the whole period.
 */
export function sliWindowsOf(slo: Slo): { readonly alertWindows: number[]; readonly smallest: number } {
  const alertWindows = alertWindowsOf(slo.alerting.tiers);
  const smallest = alertWindows[0];
  if (smallest === undefined) throw new Error(`SLO ${slo.id} has no alert windows`);
  return { alertWindows, smallest };
}

export function sliRecordingRules(slo: Slo, flavour: RuleFlavour): RecordingRule[] {
  const { alertWindows, smallest } = sliWindowsOf(slo);
  const rules = alertWindows.map((windowMs) => ({
    record: sliErrorRecord(windowMs),
    expr: sliExpr(slo, windowMs, flavour),
    labels: windowLabels(slo, windowMs),
  }));
  // A period that equals an alert window is already recorded from the raw queries.
  if (!alertWindows.includes(slo.periodMs)) rules.push(periodRule(slo, smallest));
  if (flavour === 'shopsre' && slo.minEvents) rules.push(...eventCountRules(slo));
  return rules;
}

function windowLabels(slo: Slo, windowMs: number): RecordingRule['labels'] {
  return mergeLabels(sloIdLabels(slo), { [labelName.window]: formatDuration(windowMs) }, slo.labels);
}

function sliExpr(slo: Slo, windowMs: number, flavour: RuleFlavour): string {
  const { sli } = slo;
  if (sli.kind === 'raw') {
    const query = flavour === 'sloth' ? sli.errorRatioQuery : sli.errorRatioQuery.trim();
    return `(${renderWindow(query, windowMs)})`;
  }
  const errors = renderWindow(sli.errorQuery, windowMs);
  const total = renderWindow(sli.totalQuery, windowMs);
  if (flavour === 'sloth') return `(${errors})\n/\n(${total})\n`;
  // Without traffic Sloth's ratio is 0/0 = NaN (or absent), which poisons the period's
  // sum_over_time for a whole period. No traffic burns no budget: record 0 instead. The
  // `> 0` drops a zero denominator; `or on() vector(0)` fills in when nothing is left.
  return `(\n  (${errors.trim()})\n  /\n  ((${total.trim()}) > 0)\n)\nor on() vector(0)\n`;
}

/**
 * The period SLI from the smallest window's records rather than the raw queries: cheaper over 30
 * days, and it sums ratios then divides by their count, so it does not average averages (Sloth's
 * optimized SLI rule, which links https://prometheus.io/docs/practices/rules/).
 */
function periodRule(slo: Slo, smallestWindowMs: number): RecordingRule {
  const series = `${sliErrorRecord(smallestWindowMs)}${labelFilter(sloIdLabels(slo))}`;
  const period = formatDuration(slo.periodMs);
  return {
    record: sliErrorRecord(slo.periodMs),
    expr:
      `sum_over_time(${series}[${period}])\n` +
      `/ ignoring (${labelName.window})\n` +
      `count_over_time(${series}[${period}])\n`,
    labels: windowLabels(slo, slo.periodMs),
  };
}

/** Long windows of the enabled tiers: where the minimum-events guard applies. */
function guardedWindowsOf(slo: Slo): number[] {
  const windows = new Set<number>();
  for (const tier of slo.alerting.tiers) {
    if (!tier.enabled) continue;
    windows.add(tier.quick.longWindowMs);
    windows.add(tier.slow.longWindowMs);
  }
  return [...windows].sort((a, b) => a - b);
}

/** Events per long window: the rate query times the window's seconds. */
function eventCountRules(slo: Slo): RecordingRule[] {
  const guard = slo.minEvents;
  if (!guard) return [];
  return guardedWindowsOf(slo).map((windowMs) => ({
    record: sliTotalEventsRecord(windowMs),
    expr: `(${renderWindow(guard.totalQuery, windowMs).trim()}) * ${windowMs / 1000}`,
    labels: windowLabels(slo, windowMs),
  }));
}
