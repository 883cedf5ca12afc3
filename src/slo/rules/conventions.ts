import { formatDuration } from '../../core/duration.js';

/**
 * Every metric, rule, group, label and annotation name the rule generator writes, in one place.
 * The `slo:*` and `sloth_*` names are Sloth's (pkg/common/conventions), so Sloth's Grafana
 * dashboards and any query written against Sloth rules work on ours unchanged.
 */

/** SLI error ratio over one window: `slo:sli_error:ratio_rate5m`. */
export function sliErrorRecord(windowMs: number): string {
  return `slo:sli_error:ratio_rate${formatDuration(windowMs)}`;
}

/** Events seen over one window, for the minimum-events guard (ours, not Sloth's). */
export function sliTotalEventsRecord(windowMs: number): string {
  return `slo:sli_total:events${formatDuration(windowMs)}`;
}

export const metaRecord = {
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  timePeriodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  periodErrorBudgetRemaining: 'slo:period_error_budget_remaining:ratio',
  info: 'sloth_slo_info',
} as const;

export const labelName = {
  id: 'sloth_id',
  service: 'sloth_service',
  slo: 'sloth_slo',
  window: 'sloth_window',
  severity: 'sloth_severity',
  mode: 'sloth_mode',
  objective: 'sloth_objective',
  spec: 'sloth_spec',
  version: 'sloth_version',
  /** The label alert routing usually matches on (Alertmanager examples, PagerDuty integrations). */
  routedSeverity: 'severity',
  /** How long the whole budget lasts at the quick window's threshold burn rate. */
  budgetExhaustion: 'budget_exhaustion',
} as const;

export const annotationName = {
  title: 'title',
  summary: 'summary',
  runbookUrl: 'runbook_url',
} as const;

export const groupName = {
  sli: (sloId: string) => `sloth-slo-sli-recordings-${sloId}`,
  meta: (sloId: string) => `sloth-slo-meta-recordings-${sloId}`,
  alerts: (sloId: string) => `sloth-slo-alerts-${sloId}`,
} as const;

/** Sloth's default alert annotations, with Prometheus alert-template label references. */
export function defaultAnnotations(tierName: string): Record<string, string> {
  const who = `{{$labels.${labelName.service}}} {{$labels.${labelName.slo}}}`;
  return {
    [annotationName.title]: `(${tierName}) ${who} SLO error budget burn rate is too fast.`,
    [annotationName.summary]: `${who} SLO error budget burn rate is over expected.`,
  };
}
