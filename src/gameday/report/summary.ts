import type { Journal } from '../journal.js';
import { detectionGroups, scaled } from './detection.js';
import { money, percent, thousands } from '../format.js';
import { cell, code, prose, table, yesNo } from './markdown.js';
import { verdictText } from './verdict.js';

/**
 * summary.md: what a CI step summary (`$GITHUB_STEP_SUMMARY`) shows of a game day: the verdict, the
 * expectations, each alert's detection against its bound, and the impact. The postmortem has the rest.
 */
export function renderSummary(journal: Journal): string {
  const { scenario, verdict } = journal;
  const out = [
    `### ${verdictText(verdict.outcome)}: game day ${code(scenario.name)}`,
    '',
    `> ${prose(scenario.hypothesis).replace(/\r?\n/g, ' ')}`,
  ];
  if (verdict.reasons.length > 0) out.push('', ...verdict.reasons.map((r) => `- ${prose(r)}`));

  out.push('', '#### Expectations', '');
  out.push(
    ...(journal.expectations.length === 0
      ? ['None stated.']
      : table(
          ['Expectation', 'Met', 'Detail'],
          ['left', 'left', 'left'],
          journal.expectations.map((e) => [cell(e.description), yesNo(e.met), cell(e.detail)]),
        )),
  );

  const groups = detectionGroups(journal);
  out.push('', '#### Alerts', '');
  if (groups.length === 0) out.push('No alert fired, and none was due.');
  else
    out.push(
      ...table(
        [
          'Alert',
          'Segment',
          'Source',
          'Fired after fault',
          'Earliest possible',
          'Measured − earliest',
          'Verdict',
        ],
        ['left', 'left', 'left', 'right', 'right', 'right', 'left'],
        groups.flatMap((g) =>
          g.sources.map((s) => [
            code(g.alertname),
            cell(g.segment ?? '—'),
            s.source,
            s.firedAfterMs === undefined
              ? 'did not fire'
              : scaled(s.firedAfterMs, journal.timeScale, ' unscaled'),
            s.earliestAfterMs === undefined ? '—' : scaled(s.earliestAfterMs, journal.timeScale, ' unscaled'),
            s.delayMs === undefined ? '—' : scaled(s.delayMs, journal.timeScale, ' unscaled'),
            s.missed ? '❌ missed' : s.late ? '❌ late' : s.delayMs === undefined ? '—' : '✅ within bound',
          ]),
        ),
      ),
    );

  out.push('', '#### Impact', '');
  out.push(
    ...table(
      ['Segment', 'Attempted', 'Failed', 'Failed value', 'Budget consumed', 'Business outcomes'],
      ['left', 'right', 'right', 'right', 'right', 'right'],
      [...journal.impact]
        .sort((a, b) => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0))
        .map((i) => [
          cell(i.segment),
          thousands(i.checkoutsAttempted),
          thousands(i.checkoutsFailed),
          i.failedValueMinor === undefined ? 'not measured' : money(i.failedValueMinor, i.currency),
          percent(i.budgetConsumed),
          thousands(i.businessOutcomes),
        ]),
    ),
  );
  out.push('', `Run ${code(journal.runId)}; details in postmortem.md.`);
  return `${out.join('\n')}\n`;
}
