import { alignTable, type ColumnAlign } from '../../core/text-table.js';
import type { Evaluation, SloResult } from './evaluate.js';
import {
  budgetCell,
  businessOutcomesCell,
  countsLine,
  fixedWindowNote,
  segmentLabel,
  showsBusinessOutcomes,
  sliCell,
  sloLabel,
  tierColumn,
  verdictLabel,
} from './format.js';
import { formatObjective } from './number-format.js';

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
  { title: 'BUDGET LEFT', align: 'right', cell: budgetCell },
  { title: 'PAGE BURN', align: 'left', cell: (r, e) => tierColumn(r, 'page', e.fixedWindowMs) },
  { title: 'TICKET BURN', align: 'left', cell: (r, e) => tierColumn(r, 'ticket', e.fixedWindowMs) },
  { title: 'VERDICT', align: 'left', cell: (r) => verdictLabel(r.verdict) },
];

/** Out of stock, declined, pending: shown apart from errors, for sources that count them. */
const businessColumn: Column = {
  title: 'BUSINESS OUTCOMES',
  align: 'left',
  cell: businessOutcomesCell,
};

/** The terminal report: an aligned table, then why each SLO failed or warned, then one summary line. */
export function renderTable(evaluation: Evaluation): string {
  const shown = showsBusinessOutcomes(evaluation)
    ? [...columns.slice(0, -1), businessColumn, ...columns.slice(-1)]
    : columns;
  const rows = evaluation.slos.map((result) => shown.map((column) => column.cell(result, evaluation)));
  const out = alignTable(
    shown.map((c) => c.title),
    shown.map((c) => c.align),
    rows,
  );
  const reasons = evaluation.slos.flatMap((result) =>
    result.reasons.map(
      (reason) => `${reason.action.toUpperCase()} ${result.slo.id}: ${reason.step}: ${reason.message}`,
    ),
  );
  if (reasons.length > 0) out.push('', ...reasons);
  out.push(
    '',
    `${evaluation.verdict.toUpperCase()}: ${countsLine(evaluation)} ` +
      `(at ${new Date(evaluation.atMs).toISOString()}, from ${evaluation.origin})`,
  );
  if (evaluation.fixedWindowMs !== undefined) out.push(fixedWindowNote(evaluation.fixedWindowMs));
  out.push(...evaluation.notes);
  return `${out.join('\n')}\n`;
}
