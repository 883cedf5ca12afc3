import type { RunSecond } from './abort-when.js';
import type { RunProgress } from './engine/recorded-run.js';

/** What the progress display shows; plain data. */
export interface ProgressSnapshot {
  readonly elapsedMs: number;
  /** Planned length of the run. */
  readonly durationMs: number;
  /** Requests finished since the previous report (reports come every second). */
  readonly rps: number;
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly segments: readonly SegmentProgress[];
}

export interface SegmentProgress {
  readonly segment: string;
  readonly requests: number;
  readonly errors: number;
  /** p95 of the last complete second; undefined when the segment had no request in it. */
  readonly p95Ms: number | undefined;
}

/**
 * Turns the engine's once-a-second reports (running totals) into the last second's figures, for
 * `--abort-when`, and a snapshot for the progress display. Works the same on one thread or merged
 * from worker threads, since it reads only the reports.
 */
export function progressTracker(): (progress: RunProgress) => {
  readonly second: RunSecond;
  readonly snapshot: ProgressSnapshot;
} {
  let before = { requests: 0, errors: 0, dropped: 0 };
  return ({ engine, live }) => {
    const requests = live.requests - before.requests;
    const segments = Object.entries(live.bySegment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([segment, s]) => ({
        segment,
        requests: s.requests,
        errors: s.errors,
        // The recorder reports 0 for a segment without requests in the second.
        p95Ms: s.p95Ms > 0 ? s.p95Ms : undefined,
      }));
    const p95s = segments.flatMap((s) => (s.p95Ms === undefined ? [] : [s.p95Ms]));
    const second: RunSecond = {
      t: Math.max(0, Math.round(engine.elapsedMs / 1000) - 1),
      requests,
      errors: live.errors - before.errors,
      dropped: live.dropped - before.dropped,
      p95Ms: requests > 0 && p95s.length > 0 ? Math.max(...p95s) : undefined,
    };
    before = { requests: live.requests, errors: live.errors, dropped: live.dropped };
    return {
      second,
      snapshot: {
        elapsedMs: engine.elapsedMs,
        durationMs: engine.durationMs,
        rps: requests,
        requests: live.requests,
        errors: live.errors,
        dropped: live.dropped,
        segments,
      },
    };
  };
}
