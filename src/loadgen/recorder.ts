import type { JsHistogram } from 'hdr-histogram-js';
import type { SamplePosition } from './engine/types.js';
import {
  createLatencyHistogram,
  createSecondHistogram,
  createSecondScratchHistogram,
  percentileMs,
  recordLatencyMs,
} from './latency-histogram.js';
import type { Sample } from './plan.js';
import {
  assembleResults,
  cellOf,
  emptyTally,
  noErrors,
  sliceOf,
  type ErrorCounts,
  type SeriesPoint,
} from './results-assembly.js';
import type { LoadResults } from './results.js';

export interface RecorderOptions {
  /** Thresholds (ms) counted cumulatively in every summary, for latency SLIs. */
  readonly latencyBucketsMs: readonly number[];
  /**
   * Steps that also get a per-second series of their own per segment (a point with `step`), beside
   * the segment's series over every step: a game day's customers' view of checkout. Those points
   * also count answers per status and cumulative latency buckets, as the summaries do, so an SLO can
   * be counted over any span of seconds (a game day's burn-rate windows).
   */
  readonly seriesSteps?: readonly string[];
}

/** A series key: the segment alone, or the segment and a step broken out (NUL never occurs in either). */
const stepKey = (segment: string, step: string): string => `${segment}\u0000${step}`;

/** The run block of the results, but for `endedAt`, which follows from the start and the duration. */
export type RunMetadata = Omit<LoadResults['run'], 'endedAt'>;

/** What is known of a dropped iteration's journey; the totals count every drop either way. */
export interface DropAttribution {
  readonly segment?: string;
  readonly step?: string;
}

interface LiveSegment {
  readonly requests: number;
  readonly errors: number;
  /** p95 of the last complete second, in milliseconds; 0 when the segment had no request in it. */
  readonly p95Ms: number;
}

/** Running totals for the progress display and stop conditions. */
export interface LiveStats {
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly bySegment: Readonly<Record<string, LiveSegment>>;
}

interface SecondBucket {
  readonly t: number;
  count: number;
  readonly errors: ErrorCounts;
  /** Step buckets only: answers per status code, and requests at or under each latency threshold. */
  readonly byStatus?: Map<number, number>;
  readonly atOrBelow?: number[];
  /** What the series point is read from, once the second is sealed. */
  readonly histogram: JsHistogram;
  /** The latencies of a second still being recorded (see `Recorder.sealBefore`). */
  scratch: JsHistogram | undefined;
}

/** Collects the samples of one run (or one worker's share) and turns them into a results document. */
export class Recorder {
  private readonly tally = emptyTally();
  /** Second since the start, then segment. */
  private readonly seconds = new Map<number, Map<string, SecondBucket>>();
  private readonly live = new Map<string, { requests: number; errors: number }>();
  /** Buckets whose latencies are still in a scratch histogram, and scratch histograms to reuse. */
  private unsealed: SecondBucket[] = [];
  private readonly spareScratch: JsHistogram[] = [];
  private newestSecond = 0;
  private requests = 0;
  private errors = 0;
  /** Where each latency threshold falls in a summary's histogram layout: the last index it counts whole. */
  private readonly thresholdIndexes: readonly number[];
  private readonly layout: JsHistogram | undefined;

  constructor(private readonly options: RecorderOptions) {
    // Only runs with step series pay for a layout to place latencies in (a single allocation).
    this.layout = options.seriesSteps?.length ? createLatencyHistogram() : undefined;
    const layout = this.layout;
    this.thresholdIndexes = layout ? options.latencyBucketsMs.map((ms) => thresholdIndex(layout, ms)) : [];
  }

  record(sample: Sample, position: SamplePosition): void {
    const { segment, step, error } = sample;
    const cell = cellOf(this.tally, segment, step);
    recordLatencyMs(cell.histogram, sample.latencyMs);
    if (position.firstOfStep) {
      cell.iterations++;
      sliceOf(this.tally.byStep, step).iterations++;
    }
    if (position.firstOfIteration) {
      sliceOf(this.tally.bySegment, segment).iterations++;
      this.tally.totals.iterations++;
    }
    const second = Math.max(0, Math.floor(sample.endedAtMs / 1000));
    const bucket = this.secondOf(second, segment);
    bucket.count++;
    recordLatencyMs(bucket.scratch ?? bucket.histogram, sample.latencyMs);
    const stepBucket = this.options.seriesSteps?.includes(step)
      ? this.secondOf(second, stepKey(segment, step))
      : undefined;
    if (stepBucket) {
      stepBucket.count++;
      recordLatencyMs(stepBucket.scratch ?? stepBucket.histogram, sample.latencyMs);
      this.countStep(stepBucket, sample);
    }
    let live = this.live.get(segment);
    if (!live) this.live.set(segment, (live = { requests: 0, errors: 0 }));
    live.requests++;
    this.requests++;
    if (sample.status !== undefined)
      cell.byStatus.set(sample.status, (cell.byStatus.get(sample.status) ?? 0) + 1);
    if (sample.outcome !== undefined) cell.businessOutcomes[sample.outcome]++;
    if (error) {
      cell.errorsByKind[error]++;
      bucket.errors[error]++;
      if (stepBucket) stepBucket.errors[error]++;
      live.errors++;
      this.errors++;
    }
  }

  recordDropped(attribution: DropAttribution = {}): void {
    const { segment, step } = attribution;
    this.tally.totals.dropped++;
    if (segment !== undefined) sliceOf(this.tally.bySegment, segment).dropped++;
    if (step !== undefined) sliceOf(this.tally.byStep, step).dropped++;
    if (segment !== undefined && step !== undefined) cellOf(this.tally, segment, step).dropped++;
  }

  /** Totals so far, and each segment's p95 in the last second complete at `elapsedMs`. */
  liveStats(elapsedMs: number): LiveStats {
    const lastSecond = this.seconds.get(Math.floor(elapsedMs / 1000) - 1);
    const latencies = (bucket: SecondBucket): JsHistogram => bucket.scratch ?? bucket.histogram;
    return {
      requests: this.requests,
      errors: this.errors,
      dropped: this.tally.totals.dropped,
      bySegment: Object.fromEntries(
        [...this.live].map(([segment, counts]) => {
          const bucket = lastSecond?.get(segment);
          return [segment, { ...counts, p95Ms: bucket ? percentileMs(latencies(bucket), 95) : 0 }];
        }),
      ),
    };
  }

  toResults(run: RunMetadata): LoadResults {
    this.sealBefore(Number.POSITIVE_INFINITY);
    const endedAt = new Date(Date.parse(run.startedAt) + run.durationMs).toISOString();
    const timeSeries: SeriesPoint[] = [...this.seconds].flatMap(([t, segments]) =>
      [...segments].map(([key, bucket]) => ({
        t,
        ...seriesOf(key),
        count: bucket.count,
        errors: { ...bucket.errors },
        p50: percentileMs(bucket.histogram, 50),
        p95: percentileMs(bucket.histogram, 95),
        p99: percentileMs(bucket.histogram, 99),
        ...this.stepCounts(bucket),
      })),
    );
    return assembleResults({
      run: { ...run, endedAt },
      tally: this.tally,
      timeSeries,
      latencyBucketsMs: this.options.latencyBucketsMs.map(String),
    });
  }

  /**
   * A step sample's status and latency buckets. A latency counts under a threshold when it falls in
   * the summary histogram's bucket holding the threshold or below (as `countAtOrBelowMs` counts), so
   * the step points of a slice add up to its summary's buckets exactly.
   */
  private countStep(bucket: SecondBucket, sample: Sample): void {
    if (sample.status !== undefined && bucket.byStatus) {
      bucket.byStatus.set(sample.status, (bucket.byStatus.get(sample.status) ?? 0) + 1);
    }
    const atOrBelow = bucket.atOrBelow;
    if (!this.layout || !atOrBelow) return;
    const index = this.layout.countsArrayIndex(latencyUs(sample.latencyMs));
    this.thresholdIndexes.forEach((last, i) => {
      if (index <= last) atOrBelow[i] = (atOrBelow[i] ?? 0) + 1;
    });
  }

  private stepCounts(bucket: SecondBucket): Pick<SeriesPoint, 'byStatus' | 'latencyBucketsMs'> {
    const { byStatus, atOrBelow } = bucket;
    if (!byStatus || !atOrBelow) return {};
    return {
      byStatus: Object.fromEntries(
        [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n]),
      ),
      latencyBucketsMs: Object.fromEntries(
        this.options.latencyBucketsMs.map((ms, i) => [String(ms), atOrBelow[i] ?? 0]),
      ),
    };
  }

  private secondOf(t: number, segment: string): SecondBucket {
    if (t > this.newestSecond) {
      this.newestSecond = t;
      // Samples end nearly in order: a second is complete once two newer ones have begun.
      this.sealBefore(t - 1);
    }
    let segments = this.seconds.get(t);
    if (!segments) this.seconds.set(t, (segments = new Map<string, SecondBucket>()));
    let bucket = segments.get(segment);
    if (!bucket) {
      // A straggler for a second already sealed goes straight into its packed histogram.
      const scratch = t < this.newestSecond - 1 ? undefined : this.takeScratch();
      bucket = {
        t,
        count: 0,
        errors: noErrors(),
        histogram: createSecondHistogram(),
        scratch,
        ...(isStepKey(segment)
          ? { byStatus: new Map(), atOrBelow: this.options.latencyBucketsMs.map(() => 0) }
          : {}),
      };
      segments.set(segment, bucket);
      if (scratch) this.unsealed.push(bucket);
    }
    return bucket;
  }

  /**
   * Moves the latencies of every second before `t` from its scratch histogram into its packed one.
   * A packed histogram is small to keep but costs about 1 µs per value recorded, the recorder's
   * largest cost per sample; a flat one records in about 0.2 µs. So a second is recorded flat and
   * packed once, when complete: adding a histogram of the same layout copies its counts, so the
   * percentiles are exactly those of recording packed all along.
   */
  private sealBefore(t: number): void {
    const stillOpen: SecondBucket[] = [];
    for (const bucket of this.unsealed) {
      if (bucket.t >= t || !bucket.scratch) {
        stillOpen.push(bucket);
        continue;
      }
      bucket.histogram.add(bucket.scratch);
      bucket.scratch.reset();
      this.spareScratch.push(bucket.scratch);
      bucket.scratch = undefined;
    }
    this.unsealed = stillOpen;
  }

  private takeScratch(): JsHistogram {
    return this.spareScratch.pop() ?? createSecondScratchHistogram();
  }
}

function isStepKey(key: string): boolean {
  return key.includes('\u0000');
}

/** A latency as `recordLatencyMs` records it, in microseconds. */
function latencyUs(latencyMs: number): number {
  return Number.isFinite(latencyMs) ? Math.max(0, Math.round(latencyMs * 1000)) : 0;
}

/**
 * The last index of the summaries' histogram layout that `countAtOrBelowMs` counts for a threshold.
 * Past the highest trackable value it counts the whole histogram, which holds nothing above that
 * value (it grows to hold larger ones), so comparing indexes gives the same count either way.
 */
function thresholdIndex(layout: JsHistogram, thresholdMs: number): number {
  return layout.countsArrayIndex(Math.round(thresholdMs * 1000));
}

function seriesOf(key: string): { segment: string; step?: string } {
  const at = key.indexOf('\u0000');
  return at < 0 ? { segment: key } : { segment: key.slice(0, at), step: key.slice(at + 1) };
}
