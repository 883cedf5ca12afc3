import type { JsHistogram } from 'hdr-histogram-js';
import {
  countAtOrBelowMs,
  createLatencyHistogram,
  encodeHistogram,
  percentileMs,
  sumHistograms,
} from './latency-histogram.js';
import { journeySteps } from './plan.js';
import {
  businessOutcomes,
  errorKinds,
  type BusinessOutcome,
  type ErrorKind,
  type LoadResults,
  type Summary,
} from './results.js';

/**
 * The counts a results document is built from, shared by the recorder (from samples) and merge (from
 * documents), so both derive every summary the same way. Request counts, latencies and buckets come
 * from the histograms and errors from the segment × step cells; iterations and drops are kept per
 * slice, because one iteration spans several steps and a drop may be known only by segment.
 */
export type ErrorCounts = Record<ErrorKind, number>;

interface SliceCounts {
  iterations: number;
  dropped: number;
}

export type OutcomeCounts = Record<BusinessOutcome, number>;

interface Cell extends SliceCounts {
  readonly histogram: JsHistogram;
  readonly errorsByKind: ErrorCounts;
  /** Answers per status code. */
  readonly byStatus: Map<number, number>;
  readonly businessOutcomes: OutcomeCounts;
}

export interface Tally {
  /**
   * False once a merged document had no per-status counts (an older writer): the merged document then
   * has none either, rather than counts that cover only part of the run.
   */
  statusCounted: boolean;
  readonly totals: SliceCounts;
  readonly bySegment: Map<string, SliceCounts>;
  readonly byStep: Map<string, SliceCounts>;
  /** Segment, then step. */
  readonly cells: Map<string, Map<string, Cell>>;
}

export type SeriesPoint = LoadResults['timeSeries'][number];

export function emptyTally(): Tally {
  return {
    statusCounted: true,
    totals: noCounts(),
    bySegment: new Map(),
    byStep: new Map(),
    cells: new Map(),
  };
}

export function noOutcomes(): OutcomeCounts {
  return { outOfStock: 0, declined: 0, pending: 0 };
}

export function noErrors(): ErrorCounts {
  return { http4xx: 0, http5xx: 0, timeout: 0, connection: 0, check: 0 };
}

export function sliceOf(slices: Map<string, SliceCounts>, key: string): SliceCounts {
  let slice = slices.get(key);
  if (!slice) slices.set(key, (slice = noCounts()));
  return slice;
}

export function cellOf(tally: Tally, segment: string, step: string): Cell {
  let steps = tally.cells.get(segment);
  if (!steps) tally.cells.set(segment, (steps = new Map<string, Cell>()));
  let cell = steps.get(step);
  if (!cell) {
    cell = {
      ...noCounts(),
      histogram: createLatencyHistogram(),
      errorsByKind: noErrors(),
      byStatus: new Map(),
      businessOutcomes: noOutcomes(),
    };
    steps.set(step, cell);
  }
  return cell;
}

interface AssemblyInput {
  readonly run: LoadResults['run'];
  readonly tally: Tally;
  readonly timeSeries: readonly SeriesPoint[];
  /** Bucket keys as they appear in the document ("250", "0.5"). */
  readonly latencyBucketsMs: readonly string[];
}

export function assembleResults({ run, tally, timeSeries, latencyBucketsMs }: AssemblyInput): LoadResults {
  const seconds = run.durationMs / 1000;
  const summarize = (cells: readonly Cell[], counts: SliceCounts): Summary =>
    summary(cells, counts, seconds, latencyBucketsMs, tally.statusCounted);
  const segments = [...tally.cells.keys(), ...tally.bySegment.keys()].filter(unique).sort();
  const steps = [...tally.byStep.keys(), ...[...tally.cells.values()].flatMap((s) => [...s.keys()])]
    .filter(unique)
    .sort(byJourneyOrder);
  const cellsOf = (segment: string): Cell[] => [...(tally.cells.get(segment)?.values() ?? [])];
  const cellsOfStep = (step: string): Cell[] =>
    segments.flatMap((segment) => tally.cells.get(segment)?.get(step) ?? []);
  const sortedCells = (segment: string): [string, Cell][] =>
    [...(tally.cells.get(segment) ?? [])].sort(([a], [b]) => byJourneyOrder(a, b));
  return {
    apiVersion: 'shopsre/v1',
    kind: 'LoadResults',
    run,
    totals: summarize(segments.flatMap(cellsOf), tally.totals),
    byStep: Object.fromEntries(
      steps.map((step) => [step, summarize(cellsOfStep(step), tally.byStep.get(step) ?? noCounts())]),
    ),
    bySegment: Object.fromEntries(
      segments.map((segment) => [
        segment,
        summarize(cellsOf(segment), tally.bySegment.get(segment) ?? noCounts()),
      ]),
    ),
    bySegmentStep: Object.fromEntries(
      segments.map((segment) => [
        segment,
        Object.fromEntries(sortedCells(segment).map(([step, cell]) => [step, summarize([cell], cell)])),
      ]),
    ),
    histograms: segments.flatMap((segment) =>
      sortedCells(segment).map(([step, cell]) => ({
        step,
        segment,
        encoding: 'hdr-base64' as const,
        data: encodeHistogram(cell.histogram),
      })),
    ),
    timeSeries: [...timeSeries].sort(
      (a, b) => a.t - b.t || a.segment.localeCompare(b.segment) || byJourneyOrder(a.step ?? '', b.step ?? ''),
    ),
  };
}

function summary(
  cells: readonly Cell[],
  counts: SliceCounts,
  seconds: number,
  latencyBucketsMs: readonly string[],
  statusCounted: boolean,
): Summary {
  const histogram = sumHistograms(cells.map((cell) => cell.histogram));
  const errorsByKind = noErrors();
  const outcomes = noOutcomes();
  const byStatus = new Map<number, number>();
  for (const cell of cells) {
    for (const kind of errorKinds) errorsByKind[kind] += cell.errorsByKind[kind];
    for (const outcome of businessOutcomes) outcomes[outcome] += cell.businessOutcomes[outcome];
    for (const [status, n] of cell.byStatus) byStatus.set(status, (byStatus.get(status) ?? 0) + n);
  }
  const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n]);
  return {
    iterations: counts.iterations,
    requests: histogram.totalCount,
    errors: errorKinds.reduce((sum, kind) => sum + errorsByKind[kind], 0),
    errorsByKind,
    ...(statusCounted ? { byStatus: Object.fromEntries(statuses) as Record<string, number> } : {}),
    businessOutcomes: outcomes,
    dropped: counts.dropped,
    achievedRate: Math.round((counts.iterations / seconds) * 1000) / 1000,
    latencyMs: {
      p50: percentileMs(histogram, 50),
      p90: percentileMs(histogram, 90),
      p95: percentileMs(histogram, 95),
      p99: percentileMs(histogram, 99),
      max: percentileMs(histogram, 100),
    },
    latencyBucketsMs: Object.fromEntries(
      latencyBucketsMs.map((key) => [key, countAtOrBelowMs(histogram, Number(key))]),
    ),
  };
}

function noCounts(): SliceCounts {
  return { iterations: 0, dropped: 0 };
}

function unique<T>(value: T, index: number, all: readonly T[]): boolean {
  return all.indexOf(value) === index;
}

/** The checkout funnel's order first, then any other step by name. */
function byJourneyOrder(a: string, b: string): number {
  const rank = (step: string): number => {
    const index = (journeySteps as readonly string[]).indexOf(step);
    return index === -1 ? journeySteps.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}
