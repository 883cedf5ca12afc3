import { formatDuration } from '../../core/duration.js';
import { burnFactor, errorBudgetRatio, type AlertTier, type BurnWindow, type Slo } from '../model.js';
import {
  annotationName,
  defaultAnnotations,
  labelName,
  sliErrorRecord,
  sliTotalEventsRecord,
} from './conventions.js';
import { formatGoFloat } from './go-float.js';
import { labelFilter, mergeLabels, sloIdLabels } from './rule-labels.js';
import type { AlertingRule, Labels, RuleFlavour } from './rule-group.js';

const minuteMs = 60_000;

/** One multiwindow, multi-burn-rate alert per enabled tier (Sloth's page and ticket alerts). */
export function alertRules(slo: Slo, flavour: RuleFlavour): AlertingRule[] {
  return slo.alerting.tiers.filter((tier) => tier.enabled).map((tier) => alertRule(slo, tier, flavour));
}

function alertRule(slo: Slo, tier: AlertTier, flavour: RuleFlavour): AlertingRule {
  const { alerting } = slo;
  const expr = `${windowPair(slo, tier.quick, flavour)}\nor\n${windowPair(slo, tier.slow, flavour)}\n`;
  const defaults = defaultAnnotations(tier.name);
  if (flavour === 'sloth') {
    return {
      alert: alerting.name,
      expr,
      labels: mergeLabels({ [labelName.severity]: tier.name }, alerting.labels, tier.labels),
      annotations: mergeLabels(defaults, alerting.annotations, tier.annotations),
    };
  }
  const segmentLabel: Labels = slo.segment ? { [slo.segment.label]: slo.segment.value } : {};
  const runbook: Labels = alerting.runbookUrl ? { [annotationName.runbookUrl]: alerting.runbookUrl } : {};
  return {
    alert: alerting.name,
    expr,
    ...(tier.forMs === undefined ? {} : { for: formatDuration(tier.forMs) }),
    labels: mergeLabels(
      {
        [labelName.severity]: tier.name,
        [labelName.routedSeverity]: tier.severity,
        [labelName.budgetExhaustion]: budgetExhaustion(slo, tier),
      },
      segmentLabel,
      alerting.labels,
      tier.labels,
    ),
    annotations: mergeLabels(defaults, runbook, alerting.annotations, tier.annotations),
  };
}

/**
 * Time until the whole period's budget is gone when burning at the quick window's threshold:
 * a burn factor f spends the budget f times faster than evenly over the period.
 */
export function budgetExhaustion(slo: Slo, tier: AlertTier): string {
  const ms = slo.periodMs / burnFactor(tier.quick, slo.periodMs);
  return formatDuration(Math.max(minuteMs, Math.round(ms / minuteMs) * minuteMs));
}

/**
 * Both windows above `factor × budget`. `max … without (sloth_window)` drops the only label that
 * differs between the two recordings so `and` can match them (Sloth's template).
 */
function windowPair(slo: Slo, window: BurnWindow, flavour: RuleFlavour): string {
  const filter = labelFilter(sloIdLabels(slo));
  const threshold = `(${formatGoFloat(burnFactor(window, slo.periodMs))} * ${formatGoFloat(errorBudgetRatio(slo.objective))})`;
  const above = (windowMs: number): string =>
    `    max(${sliErrorRecord(windowMs)}${filter} > ${threshold}) without (${labelName.window})`;
  const lines = ['(', above(window.shortWindowMs), '    and', above(window.longWindowMs)];
  if (flavour === 'shopsre' && slo.minEvents) {
    // Enough events in the long window, matched on the SLO id only: the events record may carry
    // labels from its own query that the SLI ratio does not.
    const events = `${sliTotalEventsRecord(window.longWindowMs)}${filter}`;
    lines.push(
      `    and on(${labelName.id})`,
      `    max(${events} >= ${slo.minEvents.minEvents}) without (${labelName.window})`,
    );
  }
  lines.push(')');
  return lines.join('\n');
}
