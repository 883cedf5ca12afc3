import type { Evaluation, SloResult } from './evaluate.js';
import type { Verdict } from './measurement.js';
import {
  budgetCell,
  businessOutcomesCell,
  countVerdicts,
  fixedWindowNote,
  segmentLabel,
  showsBusinessOutcomes,
  sliCell,
  sloLabel,
  tierColumn,
} from './format.js';
import { formatObjective } from './number-format.js';

const verdictMark: Record<Verdict, string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  'no-data': '❔ no data',
};
const actionMark: Record<'warn' | 'fail', string> = { warn: verdictMark.warn, fail: verdictMark.fail };

/** A summary for `$GITHUB_STEP_SUMMARY` (or any Markdown viewer): headline, table, then the reasons. */
export function renderMarkdown(evaluation: Evaluation): string {
  const counts = countVerdicts(evaluation);
  const failing = evaluation.slos.filter((r) => r.reasons.some((reason) => reason.action === 'fail')).length;
  const notes = [
    ...(counts.warn > 0 ? [`${counts.warn} with warnings`] : []),
    ...(counts.noData > 0 ? [`${counts.noData} without enough data`] : []),
  ];
  const headline =
    evaluation.verdict === 'fail'
      ? `❌ SLO check failed: ${failing} of ${evaluation.slos.length} SLOs`
      : `✅ SLO check passed: ${evaluation.slos.length} SLOs${notes.length > 0 ? `, ${notes.join(', ')}` : ''}`;
  const business = showsBusinessOutcomes(evaluation);
  const out = [
    `### ${headline}`,
    '',
    `Evaluated at ${new Date(evaluation.atMs).toISOString()} from \`${code(evaluation.origin)}\`.`,
    '',
    `| SLO | Segment | Objective | SLI | Budget left | Page burn | Ticket burn |${business ? ' Business outcomes |' : ''} Verdict |`,
    `| --- | --- | ---: | ---: | ---: | --- | --- |${business ? ' --- |' : ''} --- |`,
    ...evaluation.slos.map((result) => row(result, evaluation, business)),
  ];
  const reasons = evaluation.slos.flatMap((result) =>
    result.reasons.map(
      (reason) =>
        `- ${result.verdict === 'no-data' ? verdictMark['no-data'] : actionMark[reason.action]} \`${code(result.slo.id)}\` ${cell(reason.step)}: ${cell(reason.message)}`,
    ),
  );
  if (reasons.length > 0) out.push('', ...reasons);
  if (evaluation.fixedWindowMs !== undefined) out.push('', `> ${fixedWindowNote(evaluation.fixedWindowMs)}`);
  for (const note of evaluation.notes) out.push('', `> ${cell(note)}`);
  return `${out.join('\n')}\n`;
}

function row(result: SloResult, evaluation: Evaluation, business: boolean): string {
  const cells = [
    sloLabel(result),
    segmentLabel(result),
    formatObjective(result.slo.objective),
    sliCell(result),
    budgetCell(result),
    tierColumn(result, 'page', evaluation.fixedWindowMs),
    tierColumn(result, 'ticket', evaluation.fixedWindowMs),
    ...(business ? [businessOutcomesCell(result)] : []),
    verdictMark[result.verdict],
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** Table cells end at `|` and at a newline; user text (messages, names) may hold either. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inside backticks, a backtick would end the span early. */
function code(text: string): string {
  return text.replace(/`/g, "'");
}
