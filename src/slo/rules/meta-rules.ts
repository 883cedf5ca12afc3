import type { Slo } from '../model.js';
import { labelName, metaRecord, sliErrorRecord } from './conventions.js';
import { formatGoFixed, formatGoFloat } from './go-float.js';
import { labelFilter, mergeLabels, sloIdLabels } from './rule-labels.js';
import type { GenerateOptions, RecordingRule } from './rule-group.js';
import { sliWindowsOf } from './sli-rules.js';

const hourMs = 3_600_000;

/** Sloth's metadata recordings: objective, budget, period, burn rates, remaining budget, info. */
export function metaRecordingRules(slo: Slo, options: GenerateOptions): RecordingRule[] {
  const labels = mergeLabels(sloIdLabels(slo), slo.labels);
  const filter = labelFilter(sloIdLabels(slo));
  const objectiveRatio = formatGoFloat(slo.objective / 100);
  const { smallest } = sliWindowsOf(slo);
  const burnRate = (sliRecord: string): string =>
    `${sliRecord}${filter}\n` +
    `/ on(${labelName.id}, ${labelName.slo}, ${labelName.service}) group_left\n` +
    `${metaRecord.errorBudget}${filter}\n`;
  const rule = (record: string, expr: string): RecordingRule => ({ record, expr, labels });
  return [
    rule(metaRecord.objective, `vector(${objectiveRatio})`),
    rule(metaRecord.errorBudget, `vector(1-${objectiveRatio})`),
    rule(metaRecord.timePeriodDays, `vector(${formatGoFloat(periodHours(slo.periodMs) / 24)})`),
    rule(metaRecord.currentBurnRate, burnRate(sliErrorRecord(smallest))),
    rule(metaRecord.periodBurnRate, burnRate(sliErrorRecord(slo.periodMs))),
    rule(metaRecord.periodErrorBudgetRemaining, `1 - ${metaRecord.periodBurnRate}${filter}`),
    {
      record: metaRecord.info,
      expr: 'vector(1)',
      labels: mergeLabels(labels, {
        [labelName.version]: options.version,
        [labelName.mode]: options.mode,
        [labelName.spec]: slo.source.format,
        [labelName.objective]: formatGoFixed(slo.objective),
      }),
    },
  ];
}

/** Go's `Duration.Hours()`: whole hours plus the remainder, so odd periods give Sloth's floats. */
function periodHours(periodMs: number): number {
  return Math.floor(periodMs / hourMs) + (periodMs % hourMs) / hourMs;
}
