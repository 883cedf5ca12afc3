import { alignTable, type ColumnAlign } from '../core/text-table.js';
import { journeySteps } from './plan.js';
import type { BusinessOutcome, LoadResults, Summary } from './results.js';

interface Row {
  readonly segment: string;
  readonly step: string;
  readonly summary: Summary;
}

const titles = [
  'SEGMENT',
  'STEP',
  'REQUESTS',
  'ERRORS',
  'OUT-OF-STOCK',
  'DECLINED',
  'PENDING',
  'P50',
  'P95',
  'P99',
  'RATE/S',
  'DROPPED',
] as const;

/**
 * The end-of-run table: each segment's steps, the segment's total, and the run's total last. Latency
 * in milliseconds; RATE/S is completed iterations per second, as in the results' `achievedRate`.
 * Out-of-stock, declined and pending checkouts are answers about the order, shown apart from ERRORS
 * (which does not count them); `-` for a document that predates them.
 */
export function renderLoadSummary(results: LoadResults): string {
  const rows: Row[] = [];
  for (const segment of Object.keys(results.bySegment).sort()) {
    const steps = results.bySegmentStep[segment] ?? {};
    for (const step of inJourneyOrder(Object.keys(steps))) {
      const summary = steps[step];
      if (summary) rows.push({ segment, step, summary });
    }
    const total = results.bySegment[segment];
    if (total) rows.push({ segment, step: '(all)', summary: total });
  }
  rows.push({ segment: '(all)', step: '(all)', summary: results.totals });

  const cells = rows.map(({ segment, step, summary }) => [
    segment,
    step,
    String(summary.requests),
    errorCell(summary),
    outcomeCell(summary, 'outOfStock'),
    outcomeCell(summary, 'declined'),
    outcomeCell(summary, 'pending'),
    ms(summary.latencyMs.p50),
    ms(summary.latencyMs.p95),
    ms(summary.latencyMs.p99),
    summary.achievedRate.toFixed(1),
    String(summary.dropped),
  ]);
  // Segment and step read left to right; the figures line up on the right.
  const aligns = titles.map((_, i): ColumnAlign => (i < 2 ? 'left' : 'right'));
  return `${alignTable(titles, aligns, cells).join('\n')}\n`;
}

/** The checkout funnel's steps in funnel order; any other step (`single`) after them by name. */
function inJourneyOrder(steps: readonly string[]): string[] {
  const order: readonly string[] = journeySteps;
  const rank = (step: string): number => {
    const at = order.indexOf(step);
    return at === -1 ? order.length : at;
  };
  return [...steps].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function errorCell(summary: Summary): string {
  if (summary.errors === 0) return '0';
  const share = ((summary.errors / Math.max(1, summary.requests)) * 100).toFixed(1);
  return `${summary.errors} (${share}%)`;
}

function outcomeCell(summary: Summary, outcome: BusinessOutcome): string {
  const n = summary.businessOutcomes?.[outcome];
  return n === undefined ? '-' : String(n);
}

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}ms`;
}
