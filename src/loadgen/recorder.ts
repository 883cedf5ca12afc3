import type { JsHistogram } from 'hdr-histogram-js';
import type { SamplePosition } from './engine/types.js';
import { createSecondHistogram, percentileMs, recordLatencyMs } from './latency-histogram.js';
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
}

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
  count: number;
  readonly errors: ErrorCounts;
  readonly histogram: JsHistogram;
}

/** Collects the samples of one run (or one worker's share) and turns them into a results document. */
export class Recorder {
  private readonly tally = emptyTally();
  /** Second since the start, then segment. */
  private readonly seconds = new Map<number, Map<string, SecondBucket>>();
  private readonly live = new Map<string, { requests: number; errors: number }>();
  private requests = 0;
  private errors = 0;

  constructor(private readonly options: RecorderOptions) {}

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
    const bucket = this.secondOf(Math.max(0, Math.floor(sample.endedAtMs / 1000)), segment);
    bucket.count++;
    recordLatencyMs(bucket.histogram, sample.latencyMs);
    let live = this.live.get(segment);
    if (!live) this.live.set(segment, (live = { requests: 0, errors: 0 }));
    live.requests++;
    this.requests++;
    if (error) {
      cell.errorsByKind[error]++;
      bucket.errors[error]++;
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
    return {
      requests: this.requests,
      errors: this.errors,
      dropped: this.tally.totals.dropped,
      bySegment: Object.fromEntries(
        [...this.live].map(([segment, counts]) => {
          const bucket = lastSecond?.get(segment);
          return [segment, { ...counts, p95Ms: bucket ? percentileMs(bucket.histogram, 95) : 0 }];
        }),
      ),
    };
  }

  toResults(run: RunMetadata): LoadResults {
    const endedAt = new Date(Date.parse(run.startedAt) + run.durationMs).toISOString();
    const timeSeries: SeriesPoint[] = [...this.seconds].flatMap(([t, segments]) =>
      [...segments].map(([segment, bucket]) => ({
        t,
        segment,
        count: bucket.count,
        errors: { ...bucket.errors },
        p50: percentileMs(bucket.histogram, 50),
        p95: percentileMs(bucket.histogram, 95),
        p99: percentileMs(bucket.histogram, 99),
      })),
    );
    return assembleResults({
      run: { ...run, endedAt },
      tally: this.tally,
      timeSeries,
      latencyBucketsMs: this.options.latencyBucketsMs.map(String),
    });
  }

  private secondOf(t: number, segment: string): SecondBucket {
    let segments = this.seconds.get(t);
    if (!segments) this.seconds.set(t, (segments = new Map<string, SecondBucket>()));
    let bucket = segments.get(segment);
    if (!bucket) {
      bucket = { count: 0, errors: noErrors(), histogram: createSecondHistogram() };
      segments.set(segment, bucket);
    }
    return bucket;
  }
}
