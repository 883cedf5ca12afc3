import type { MonotonicClock, Sample } from '../plan.js';

/** Where a sample falls in its iteration, so the recorder can count iterations per segment and step. */
export interface SamplePosition {
  /** The iteration's first sample: it counts one iteration for its segment. */
  readonly firstOfIteration: boolean;
  /** The iteration's first sample of this step: it counts one iteration for the step. */
  readonly firstOfStep: boolean;
}

/** An arrival that never started: offered load that did not run, with how long it waited for a slot. */
export interface DroppedIteration {
  readonly iteration: number;
  readonly scheduledAtMs: number;
  readonly waitedMs: number;
}

/** Progress of a run, reported every `tickMs`. */
export interface EngineTick {
  readonly elapsedMs: number;
  /** Planned length of the run (sum of stages, or the duration). */
  readonly durationMs: number;
  /** Iterations started so far. */
  readonly iterations: number;
  readonly inFlight: number;
  readonly dropped: number;
}

/**
 * This engine's share of a run split over worker threads: it runs the arrivals (open model) or the
 * VU slots (closed model) whose global index is `index` modulo `count`, so the shares interleave.
 */
export interface Partition {
  readonly index: number;
  readonly count: number;
}

export interface ExecutorOptions {
  readonly clock: MonotonicClock;
  /** Aborting stops scheduling and cancels in-flight iterations; the run still returns. */
  readonly signal: AbortSignal;
  record(sample: Sample, position: SamplePosition): void;
  onDropped(dropped: DroppedIteration): void;
  onTick?(tick: EngineTick): void;
  /** Default 1000. */
  readonly tickMs?: number;
  /** Default: the whole run on this thread. */
  readonly partition?: Partition;
  /** How long in-flight iterations may finish after the last start (k6's gracefulStop). Default 30 s. */
  readonly gracefulStopMs?: number;
  /**
   * Longest an arrival waits for a free slot before it is dropped (pass the request timeout: a wait
   * that long already fails the request). Default: until the run ends.
   */
  readonly maxWaitMs?: number;
}

export interface ExecutorOutcome {
  readonly iterations: number;
  readonly dropped: number;
  /** Clock readings (not offsets) at the first scheduling instant and when the last iteration settled. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}
