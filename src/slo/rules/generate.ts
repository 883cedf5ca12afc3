import type { Slo } from '../model.js';
import { alertRules } from './alert-rules.js';
import { groupName } from './conventions.js';
import { metaRecordingRules } from './meta-rules.js';
import type { GenerateOptions, RuleFlavour, RuleGroup } from './rule-group.js';
import { sliRecordingRules } from './sli-rules.js';

/**
 * Prometheus rule groups for each SLO, in Sloth's order: SLI recordings, metadata recordings,
 * then alerts (omitted when both tiers are disabled). Pure: the same SLOs give the same groups.
 */
export function generateRuleGroups(slos: readonly Slo[], options: GenerateOptions): RuleGroup[] {
  const flavour: RuleFlavour = options.compat === 'sloth' ? 'sloth' : 'shopsre';
  return slos.flatMap((slo) => {
    const groups: RuleGroup[] = [
      { name: groupName.sli(slo.id), rules: sliRecordingRules(slo, flavour) },
      { name: groupName.meta(slo.id), rules: metaRecordingRules(slo, options) },
    ];
    if (hasAlerts(slo)) groups.push({ name: groupName.alerts(slo.id), rules: alertRules(slo, flavour) });
    return groups;
  });
}

/** The names of the groups generateRuleGroups returns, in the same order. */
export function ruleGroupNames(slos: readonly Slo[]): string[] {
  return slos.flatMap((slo) => [
    groupName.sli(slo.id),
    groupName.meta(slo.id),
    ...(hasAlerts(slo) ? [groupName.alerts(slo.id)] : []),
  ]);
}

function hasAlerts(slo: Slo): boolean {
  return slo.alerting.tiers.some((tier) => tier.enabled);
}
