import { labelsFor, selects } from './label-synthesis.js';
import type { Grouping, LinearQuery, Parsed, RateTerm } from './promql-linear.js';

/** A counter to feed a promtool test: its metric, labels and, per burn phase, its rate. */
export interface SyntheticSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface SeriesPlan {
  readonly series: readonly SyntheticSeries[];
  /**
   * Per-second rates, one per series, with which the error query reads `errorRate` and the total
   * query `totalRate`; undefined when no non-negative rates do (counters never decrease).
   */
  rates(errorRate: number, totalRate: number): number[] | undefined;
  /** What another linear query (the minimum-events guard) reads from these series at these rates. */
  read(query: LinearQuery, rates: readonly number[]): number;
}

/**
 * One synthetic series per distinct selector of the two queries. A series may match several
 * selectors (an error series `code="500"` also counts in the total `{job="x"}`), so each query
 * reads a weighted sum of the series' rates; two series' rates then solve the two equations.
 */
export function planSeries(errors: LinearQuery, total: LinearQuery): Parsed<SeriesPlan> {
  const terms = [...errors, ...total];
  if (new Set(terms.map((t) => t.fn)).size > 1)
    return { ok: false, reason: 'the queries mix rate() and increase()' };
  const series: SyntheticSeries[] = [];
  for (const { selector } of terms) {
    const labels = labelsFor(selector);
    if (!labels) return { ok: false, reason: `no label values satisfy the selector of ${selector.metric}` };
    const candidate = { metric: selector.metric, labels };
    if (!series.some((s) => sameSeries(s, candidate))) series.push(candidate);
  }
  const weights = (query: LinearQuery): number[] =>
    series.map((s) =>
      query.reduce((sum, t) => sum + (selects(t.selector, s.metric, s.labels) ? t.coefficient : 0), 0),
    );
  const outputs = new Set(
    terms.flatMap((t) =>
      series
        .filter((s) => selects(t.selector, s.metric, s.labels))
        .map((s) => JSON.stringify(outputLabels(s, t))),
    ),
  );
  if (outputs.size > 1)
    return { ok: false, reason: 'the queries keep labels that differ between the synthetic series' };
  const errorWeights = weights(errors);
  const totalWeights = weights(total);
  return {
    ok: true,
    value: {
      series,
      rates: (e, t) => solve(errorWeights, totalWeights, e, t),
      read: (query, rates) => weights(query).reduce((sum, w, j) => sum + w * (rates[j] ?? 0), 0),
    },
  };
}

function sameSeries(a: SyntheticSeries, b: SyntheticSeries): boolean {
  return a.metric === b.metric && JSON.stringify(sorted(a.labels)) === JSON.stringify(sorted(b.labels));
}

function sorted(labels: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The labels a term's result keeps for one series: rate() drops the name, then each sum groups. */
function outputLabels(series: SyntheticSeries, term: RateTerm): [string, string][] {
  return term.groupings.reduce<[string, string][]>(
    (labels, grouping: Grouping) =>
      labels.filter(([name]) => grouping.labels.includes(name) === (grouping.kind === 'by')),
    sorted(series.labels),
  );
}

/**
 * Non-negative r with a·r = e and b·r = t, using two series (the rest at rate 0). Trying every
 * pair is fine: a query has a handful of selectors.
 */
function solve(a: readonly number[], b: readonly number[], e: number, t: number): number[] | undefined {
  const tolerance = 1e-9 * Math.max(1, Math.abs(e), Math.abs(t));
  for (let j = 0; j < a.length; j++) {
    for (let k = j + 1; k < a.length; k++) {
      const [aj = 0, ak = 0, bj = 0, bk = 0] = [a[j], a[k], b[j], b[k]];
      const det = aj * bk - ak * bj;
      if (Math.abs(det) < 1e-12) continue;
      const rj = (e * bk - ak * t) / det;
      const rk = (aj * t - e * bj) / det;
      if (rj < -tolerance || rk < -tolerance) continue;
      const rates = a.map(() => 0);
      rates[j] = Math.max(0, rj);
      rates[k] = Math.max(0, rk);
      return rates;
    }
  }
  return undefined;
}
