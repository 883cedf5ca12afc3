import type { Evaluation, SloResult, Verdict } from './evaluate.js';
import {
  countVerdicts,
  fixedWindowNote,
  formatBudget,
  formatObjective,
  segmentLabel,
  sliCell,
  sloLabel,
  tierColumn,
} from './format.js';

const verdictMark: Record<Verdict, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail' };

/** A summary for `$GITHUB_STEP_SUMMARY` (or any Markdown viewer): headline, table, then the reasons. */
export function renderMarkdown(evaluation: Evaluation): string {
  const counts = countVerdicts(evaluation);
  const headline =
    evaluation.verdict === 'fail'
      ? `❌ SLO check failed: ${counts.fail} of ${evaluation.slos.length} SLOs`
      : `✅ SLO check passed: ${evaluation.slos.length} SLOs${counts.warn > 0 ? `, ${counts.warn} with warnings` : ''}`;
  const out = [
    `### ${headline}`,
    '',
    `Evaluated at ${new Date(evaluation.atMs).toISOString()} from \`${code(evaluation.origin)}\`.`,
    '',
    '| SLO | Segment | Objective | SLI | Budget left | Page burn | Ticket burn | Verdict |',
    '| --- | --- | ---: | ---: | ---: | --- | --- | --- |',
    ...evaluation.slos.map((result) => row(result, evaluation)),
  ];
  const reasons = evaluation.slos.flatMap((result) =>
    result.reasons.map(
      (reason) =>
        `- ${verdictMark[reason.action]} \`${code(result.slo.id)}\` ${cell(reason.step)}: ${cell(reason.message)}`,
    ),
  );
  if (reasons.length > 0) out.push('', ...reasons);
  if (evaluation.fixedWindowMs !== undefined) out.push('', `> ${fixedWindowNote(evaluation.fixedWindowMs)}`);
  return `${out.join('\n')}\n`;
}

function row(result: SloResult, evaluation: Evaluation): string {
  const cells = [
    sloLabel(result),
    segmentLabel(result),
    formatObjective(result.slo.objective),
    sliCell(result),
    formatBudget(result.budgetRemaining),
    tierColumn(result, 'page', evaluation.fixedWindowMs),
    tierColumn(result, 'ticket', evaluation.fixedWindowMs),
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
