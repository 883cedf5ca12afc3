import type { Slo } from '../../slo/model.js';
import {
  parseLinearQuery,
  parseLinearRatio,
  type LinearQuery,
  type Parsed,
  type Selector,
} from '../../slo/rules/promql-linear.js';
import { renderWindow } from '../../slo/rules/rule-labels.js';
import type { CounterStore } from './counter-store.js';

/**
 * An SLO's SLI in the shape the in-process evaluator understands: error and total queries that are
 * weighted sums of `sum(rate(counter{matchers}[w]))` (promql-linear.ts), which covers events SLIs,
 * histogram latency SLIs (`count - bucket{le}`) and raw ratios of such sums. Anything else is not
 * evaluable in process, with the parser's reason.
 *
 * Known gap: the linear form does not keep where `sum` sits, so `sum(rate(a) - rate(b))` (vector
 * matching inside the sum) is read as `sum(rate(a)) - sum(rate(b))`.
 */
export interface SliQueries {
  /** `events`: the rule records 0 without traffic; `raw`: the ratio as written (NaN at 0/0). */
  readonly kind: 'events' | 'raw';
  readonly errors: LinearQuery;
  readonly total: LinearQuery;
  /** The minimum-events guard's total query, when the SLO has one. */
  readonly guard?: LinearQuery;
  readonly selectors: readonly Selector[];
}

/** Selectors do not depend on the window, so any window serves to parse the queries. */
const parseWindowMs = 60_000;

export function compileSli(slo: Slo): Parsed<SliQueries> {
  const at = (query: string): string => renderWindow(query, parseWindowMs);
  let ratio: Parsed<{ errors: LinearQuery; total: LinearQuery }>;
  if (slo.sli.kind === 'raw') {
    ratio = parseLinearRatio(at(slo.sli.errorRatioQuery));
  } else {
    const errors = parseLinearQuery(at(slo.sli.errorQuery));
    const total = parseLinearQuery(at(slo.sli.totalQuery));
    ratio = !errors.ok
      ? errors
      : !total.ok
        ? total
        : { ok: true, value: { errors: errors.value, total: total.value } };
  }
  if (!ratio.ok) return ratio;
  let guard: LinearQuery | undefined;
  if (slo.minEvents) {
    const parsed = parseLinearQuery(at(slo.minEvents.totalQuery));
    if (!parsed.ok) return { ok: false, reason: `the minEvents query: ${parsed.reason}` };
    guard = parsed.value;
  }
  const queries = [ratio.value.errors, ratio.value.total, ...(guard ? [guard] : [])];
  for (const query of queries) {
    const problem = singleSeriesProblem(query);
    if (problem) return { ok: false, reason: problem };
  }
  const selectors = queries.flatMap((query) => query.map((term) => term.selector));
  const regexProblem = selectors.flatMap((s) => s.matchers).find((m) => !compiles(m.op, m.value));
  if (regexProblem) {
    return {
      ok: false,
      reason: `the regex "${regexProblem.value}" is not one JavaScript can run (RE2 syntax)`,
    };
  }
  return {
    ok: true,
    value: { kind: slo.sli.kind, errors: ratio.value.errors, total: ratio.value.total, guard, selectors },
  };
}

/**
 * The rules compare one recorded series per SLO; a query whose outermost `sum` keeps labels
 * (`sum by (route)`) records one per label set, which the in-process evaluator does not model.
 */
function singleSeriesProblem(query: LinearQuery): string | undefined {
  for (const term of query) {
    const outer = term.groupings.at(-1);
    if (!outer || outer.kind !== 'by' || outer.labels.length > 0) {
      return `${term.fn}(${term.selector.metric}[…]) is not summed into one series (sum without by/without)`;
    }
  }
  return undefined;
}

function compiles(op: string, value: string): boolean {
  if (op !== '=~' && op !== '!~') return true;
  try {
    new RegExp(`^(?:${value})$`);
    return true;
  } catch {
    return false;
  }
}

/**
 * A linear query's value over a window, or undefined when one of its sums is an empty vector: in
 * PromQL `sum(a) - sum(b)` is empty when either side is, and so is the recorded ratio.
 */
export function evaluateLinear(
  query: LinearQuery,
  store: CounterStore,
  windowMs: number,
  atMs: number,
): number | undefined {
  let value = 0;
  for (const term of query) {
    const sum = store.sum(term.selector, term.fn, windowMs, atMs);
    if (sum === undefined) return undefined;
    value += term.coefficient * sum;
  }
  return value;
}

/** What one `slo:sli_error:ratio_rate<w>` recording holds at `atMs`. */
export interface RecordedRatio {
  /** The recorded value (undefined: no sample recorded); what the alert expression compares. */
  readonly recorded: number | undefined;
  /** Whether the total query had data at all: without it the 0 the rule records means "no data". */
  readonly measured: boolean;
}

export function recordedRatio(
  sli: SliQueries,
  store: CounterStore,
  windowMs: number,
  atMs: number,
): RecordedRatio {
  const total = evaluateLinear(sli.total, store, windowMs, atMs);
  const errors = evaluateLinear(sli.errors, store, windowMs, atMs);
  if (sli.kind === 'raw') {
    // `(errors / total)` as written: empty when a side is, NaN at 0/0.
    const recorded = total === undefined || errors === undefined ? undefined : errors / total;
    return { recorded, measured: recorded !== undefined && !Number.isNaN(recorded) };
  }
  // `(errors / (total > 0)) or on() vector(0)` (sli-rules.ts): no traffic or no errors record 0.
  const recorded = total !== undefined && total > 0 && errors !== undefined ? errors / total : 0;
  return { recorded, measured: total !== undefined };
}

/** `(guard) * windowSeconds`, the events the minimum-events guard counts, or undefined when empty. */
export function eventsInWindow(
  sli: SliQueries,
  store: CounterStore,
  windowMs: number,
  atMs: number,
): number | undefined {
  if (!sli.guard) return undefined;
  const rate = evaluateLinear(sli.guard, store, windowMs, atMs);
  return rate === undefined ? undefined : rate * (windowMs / 1000);
}
