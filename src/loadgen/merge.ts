import { UsageError } from '../core/errors.js';
import { decodeHistogram } from './latency-histogram.js';
import {
  assembleResults,
  cellOf,
  emptyTally,
  sliceOf,
  type SeriesPoint,
  type Tally,
} from './results-assembly.js';
import { businessOutcomes, errorKinds, type LoadResults } from './results.js';

/**
 * Merges results of runs or worker threads into one document, as if one recorder had seen every
 * sample: histograms are added per segment × step and every summary (requests, percentiles, latency
 * buckets) is rebuilt from them; iterations, drops and errors are summed per slice. The run spans
 * from the earliest start to the latest end, and `achievedRate` is over that span.
 *
 * The per-second series keeps its buckets, each shifted to the merged start (worker threads share
 * a start instant, so theirs line up exactly). Counts and errors of matching buckets add up; their
 * percentiles cannot be rebuilt without per-second histograms, so the merged bucket takes the
 * maximum of each: an upper bound, since the percentile of a union never exceeds the largest of the
 * parts'. The summaries, which SLO checks read, are exact, and so are the answers per status and
 * latency buckets of step points, which add up.
 */
export function mergeResults(first: LoadResults, ...rest: readonly LoadResults[]): LoadResults {
  const documents = [first, ...rest];
  const startMs = Math.min(...documents.map((doc) => Date.parse(doc.run.startedAt)));
  const endMs = Math.max(...documents.map((doc) => Date.parse(doc.run.endedAt)));
  const tally = emptyTally();
  documents.forEach((doc, index) => addDocument(tally, doc, index + 1));
  const joined = (pick: (run: LoadResults['run']) => string): string =>
    [...new Set(documents.map((doc) => pick(doc.run)))].join(', ');
  return assembleResults({
    run: {
      id: joined((run) => run.id),
      startedAt: new Date(startMs).toISOString(),
      endedAt: new Date(endMs).toISOString(),
      durationMs: Math.max(1, endMs - startMs),
      target: joined((run) => run.target),
      executor: joined((run) => run.executor),
      // Worker threads share the run's seed; runs with different seeds keep the first one's.
      seed: first.run.seed,
    },
    tally,
    timeSeries: mergeSeries(documents, startMs),
    latencyBucketsMs: [...new Set(documents.flatMap((doc) => Object.keys(doc.totals.latencyBucketsMs)))].sort(
      (a, b) => Number(a) - Number(b),
    ),
  });
}

function addDocument(tally: Tally, doc: LoadResults, position: number): void {
  tally.totals.iterations += doc.totals.iterations;
  tally.totals.dropped += doc.totals.dropped;
  for (const [slices, summaries] of [
    [tally.byStep, doc.byStep],
    [tally.bySegment, doc.bySegment],
  ] as const) {
    for (const [key, summary] of Object.entries(summaries)) {
      const slice = sliceOf(slices, key);
      slice.iterations += summary.iterations;
      slice.dropped += summary.dropped;
    }
  }
  for (const [segment, steps] of Object.entries(doc.bySegmentStep)) {
    for (const [step, summary] of Object.entries(steps)) {
      const cell = cellOf(tally, segment, step);
      cell.iterations += summary.iterations;
      cell.dropped += summary.dropped;
      for (const kind of errorKinds) cell.errorsByKind[kind] += summary.errorsByKind[kind];
      if (summary.byStatus === undefined) tally.statusCounted = false;
      for (const [status, n] of Object.entries(summary.byStatus ?? {})) {
        cell.byStatus.set(Number(status), (cell.byStatus.get(Number(status)) ?? 0) + n);
      }
      for (const outcome of businessOutcomes) {
        cell.businessOutcomes[outcome] += summary.businessOutcomes?.[outcome] ?? 0;
      }
    }
  }
  doc.histograms.forEach(({ segment, step, data }, index) => {
    try {
      cellOf(tally, segment, step).histogram.add(decodeHistogram(data));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(
        `results ${position}: histograms[${index}] (${segment}/${step}) is not an HdrHistogram encoding: ${reason}`,
      );
    }
  });
}

function mergeSeries(documents: readonly LoadResults[], startMs: number): SeriesPoint[] {
  const merged = new Map<string, SeriesPoint>();
  for (const doc of documents) {
    const shiftMs = Date.parse(doc.run.startedAt) - startMs;
    for (const point of doc.timeSeries) {
      const t = Math.round(point.t * 1000 + shiftMs) / 1000;
      const key = JSON.stringify([t, point.segment, point.step ?? null]);
      const seen = merged.get(key);
      if (!seen) {
        merged.set(key, {
          ...point,
          t,
          errors: { ...point.errors },
          ...(point.byStatus ? { byStatus: { ...point.byStatus } } : {}),
          ...(point.latencyBucketsMs ? { latencyBucketsMs: { ...point.latencyBucketsMs } } : {}),
        });
        continue;
      }
      const errors = { ...seen.errors };
      for (const kind of errorKinds) errors[kind] += point.errors[kind];
      const byStatus = addCounts(seen.byStatus, point.byStatus, 'every');
      const latencyBucketsMs = addCounts(seen.latencyBucketsMs, point.latencyBucketsMs, 'shared');
      merged.set(key, {
        t,
        segment: seen.segment,
        ...(seen.step === undefined ? {} : { step: seen.step }),
        count: seen.count + point.count,
        errors,
        p50: Math.max(seen.p50, point.p50),
        p95: Math.max(seen.p95, point.p95),
        p99: Math.max(seen.p99, point.p99),
        ...(byStatus ? { byStatus } : {}),
        ...(latencyBucketsMs ? { latencyBucketsMs } : {}),
      });
    }
  }
  return [...merged.values()];
}

/**
 * Counts of two matching step points added key by key (statuses, latency buckets). A point without
 * them (an older writer) makes the merged point have none, rather than counts of part of its
 * requests; a bucket only one of them has is dropped for the same reason.
 */
function addCounts(
  a: Readonly<Record<string, number>> | undefined,
  b: Readonly<Record<string, number>> | undefined,
  keys: 'every' | 'shared',
): Record<string, number> | undefined {
  if (a === undefined || b === undefined) return undefined;
  // A status one point lacks had no answer there; a bucket one lacks was not counted there.
  const merged =
    keys === 'every'
      ? [...new Set([...Object.keys(a), ...Object.keys(b)])]
      : Object.keys(a).filter((k) => Object.hasOwn(b, k));
  return Object.fromEntries(merged.map((k) => [k, (a[k] ?? 0) + (b[k] ?? 0)]));
}
