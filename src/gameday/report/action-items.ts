import type { ActionItem, Journal } from '../journal.js';
import { afterFault, detectionGroups } from './detection.js';
import { duration, percent, thousands } from '../format.js';

/** What `deriveActionItems` reads: everything but the action items it produces. */
export type JournalWithoutActionItems = Omit<Journal, 'actionItems'>;

export type FindingKind =
  'expectation' | 'alert-missed' | 'alert-late' | 'slo-breached' | 'not-recovered' | 'invariant';

/** Something the game day showed that needs follow-up, with the action item it calls for. */
export interface Finding {
  readonly kind: FindingKind;
  readonly text: string;
  readonly item: ActionItem;
}

/**
 * Expectations are free-form (`kind` comes from the scenario): one about alerting is a detection gap,
 * one about data a prevention gap; anything else is about how much the fault hurt.
 */
export function expectationActionKind(kind: string): ActionItem['kind'] {
  if (/alert|detect|page|ticket|fire|notif/i.test(kind)) return 'detect';
  if (/invariant|consisten|integrity|data|duplicate|double/i.test(kind)) return 'prevent';
  return 'mitigate';
}

/**
 * Owners come from the scenario's roles: a detection gap goes to the first observer (they watched the
 * alerts and dashboards during the run), everything else to the incident commander, who owns the
 * follow-up until it is handed on. Never a made-up name.
 */
function owner(journal: JournalWithoutActionItems, kind: ActionItem['kind']): string {
  const { roles } = journal.scenario;
  return kind === 'detect' ? (roles.observers[0] ?? roles.incidentCommander) : roles.incidentCommander;
}

function faultNames(journal: JournalWithoutActionItems): string {
  const names = [...new Set(journal.faults.filter((f) => f.injectedAtMs !== undefined).map((f) => f.fault))];
  return names.length > 0 ? names.sort().join(', ') : 'the injected fault';
}

const segmentText = (segment: string | undefined): string => (segment === undefined ? '' : ` [${segment}]`);

/**
 * Every finding of the run, in a fixed order: expectations not met, alerts that did not fire or fired
 * late, segments that breached their SLO, checks that failed after recovery, invariants that broke.
 */
export function findings(journal: JournalWithoutActionItems): Finding[] {
  const out: Finding[] = [];
  const add = (kind: FindingKind, actionKind: ActionItem['kind'], title: string, text: string): void => {
    out.push({
      kind,
      text,
      item: { kind: actionKind, title, owner: owner(journal, actionKind), finding: text },
    });
  };
  const faults = faultNames(journal);

  for (const expectation of journal.expectations) {
    if (expectation.met) continue;
    const kind = expectationActionKind(expectation.kind);
    const title =
      kind === 'detect'
        ? `Alerting: make "${expectation.description}" hold under ${faults}`
        : kind === 'prevent'
          ? `Prevent "${expectation.description}" from failing under ${faults}`
          : `Make "${expectation.description}" hold under ${faults}`;
    add(
      'expectation',
      kind,
      title,
      `Expectation not met: ${expectation.description} (${expectation.detail})`,
    );
  }

  for (const group of detectionGroups(journal)) {
    const name = `${group.alertname}${segmentText(group.segment)}`;
    const missed = group.sources.filter((s) => s.missed);
    const late = group.sources.filter((s) => s.late);
    if (missed.length > 0) {
      const [first] = missed as [(typeof missed)[number], ...(typeof missed)[number][]];
      const bound =
        first.earliestAfterMs === undefined
          ? ''
          : `; the rule allowed it ${afterFault(first.earliestAfterMs, journal.timeScale)}`;
      add(
        'alert-missed',
        'detect',
        `Make ${name} fire when its burn-rate condition is met`,
        `${name} did not fire (${missed.map((s) => s.source).join(', ')})${bound}`,
      );
    }
    if (late.length > 0) {
      const details = late
        .map(
          (s) =>
            `${s.source}: ${duration(s.delayMs ?? 0)} after the earliest possible firing (tolerance ${duration(s.toleranceMs)})`,
        )
        .join('; ');
      add(
        'alert-late',
        'detect',
        `Bring ${name} within its detection bound`,
        `${name} fired late: ${details}`,
      );
    }
  }

  for (const impact of [...journal.impact].sort((a, b) =>
    a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0,
  )) {
    if (impact.budgetConsumed < 1) continue;
    add(
      'slo-breached',
      'mitigate',
      `Limit the ${impact.segment} segment's exposure to ${faults}`,
      `Segment ${impact.segment} breached its SLO: ${percent(impact.budgetConsumed)} of the error budget consumed, ` +
        `${thousands(impact.checkoutsFailed)} of ${thousands(impact.checkoutsAttempted)} checkouts failed (${impact.source})`,
    );
  }

  for (const state of journal.steadyState) {
    if (state.at !== 'recover') continue;
    for (const check of state.checks) {
      if (check.passed) continue;
      const name = `${check.name}${segmentText(check.segment)}`;
      add(
        'not-recovered',
        'mitigate',
        `Return ${name} to steady state after ${faults}`,
        `Steady-state check ${name} failed after recovery: ${check.detail}`,
      );
    }
  }

  for (const invariant of journal.invariants.items) {
    if (invariant.passed) continue;
    add(
      'invariant',
      'prevent',
      `Prevent ${invariant.name} from breaking under ${faults}`,
      `Invariant ${invariant.name} broke: ${invariant.detail}`,
    );
  }
  return out;
}

/**
 * The action items a run calls for, derived from its findings, so the runner can fill the journal's
 * `actionItems` with them (people then edit the postmortem, not the journal).
 */
export function deriveActionItems(journal: JournalWithoutActionItems): ActionItem[] {
  return findings(journal).map((f) => f.item);
}
