import { alignTable, type ColumnAlign } from '../../core/text-table.js';
import type { Evaluation, SloResult } from './evaluate.js';
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

interface Column {
  readonly title: string;
  readonly align: ColumnAlign;
  cell(result: SloResult, evaluation: Evaluation): string;
}

const columns: readonly Column[] = [
  { title: 'SLO', align: 'left', cell: sloLabel },
  { title: 'SEGMENT', align: 'left', cell: segmentLabel },
  { title: 'OBJECTIVE', align: 'right', cell: (r) => formatObjective(r.slo.objective) },
  { title: 'SLI', align: 'right', cell: sliCell },
  { title: 'BUDGET LEFT', align: 'right', cell: (r) => formatBudget(r.budgetRemaining) },
  { title: 'PAGE BURN', align: 'left', cell: (r, e) => tierColumn(r, 'page', e.fixedWindowMs) },
  { title: 'TICKET BURN', align: 'left', cell: (r, e) => tierColumn(r, 'ticket', e.fixedWindowMs) },
  { title: 'VERDICT', align: 'left', cell: (r) => r.verdict.toUpperCase() },
];

/** The terminal report: an aligned table, then why each SLO failed or warned, then one summary line. */
export function renderTable(evaluation: Evaluation): string {
  const rows = evaluation.slos.map((result) => columns.map((column) => column.cell(result, evaluation)));
  const out = alignTable(
    columns.map((c) => c.title),
    columns.map((c) => c.align),
    rows,
  );
  const reasons = evaluation.slos.flatMap((result) =>
    result.reasons.map(
      (reason) => `${reason.action.toUpperCase()} ${result.slo.id}: ${reason.step}: ${reason.message}`,
    ),
  );
  if (reasons.length > 0) out.push('', ...reasons);
  const counts = countVerdicts(evaluation);
  out.push(
    '',
    `${evaluation.verdict.toUpperCase()}: ${evaluation.slos.length} SLOs, ${counts.pass} pass, ${counts.warn} warn, ` +
      `${counts.fail} fail (at ${new Date(evaluation.atMs).toISOString()}, from ${evaluation.origin})`,
  );
  if (evaluation.fixedWindowMs !== undefined) out.push(fixedWindowNote(evaluation.fixedWindowMs));
  return `${out.join('\n')}\n`;
}
