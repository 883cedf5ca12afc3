import type { ExecutorConfig, IterationRunner } from '../plan.js';
import { Recorder, type DropAttribution, type LiveStats } from '../recorder.js';
import type { LoadResults } from '../results.js';
import { runExecutor } from './run-executor.js';
import type { DroppedIteration, EngineTick, ExecutorOptions } from './types.js';

/** What a run reports every tick: the engine's counts and the recorder's running totals. */
export interface RunProgress {
  readonly engine: EngineTick;
  readonly live: LiveStats;
}

export interface RecordedRunOptions extends Pick<
  ExecutorOptions,
  'clock' | 'signal' | 'partition' | 'gracefulStopMs' | 'maxWaitMs' | 'tickMs'
> {
  readonly executor: ExecutorConfig;
  readonly runner: IterationRunner;
  readonly latencyBucketsMs: readonly number[];
  /** Steps with a per-second series of their own (see `RecorderOptions.seriesSteps`). */
  readonly seriesSteps?: readonly string[];
  readonly run: {
    readonly id: string;
    readonly target: string;
    readonly seed: number;
    /** Wall-clock time (ms since the epoch) of the run's first scheduling instant. */
    readonly startedAtEpochMs: number;
  };
  /**
   * A dropped arrival never picked its segment; a journey that can tell which segment and step it
   * would have run (from its seeded choice) names them here. Default: counted in the totals only.
   */
  attributeDrop?(dropped: DroppedIteration): DropAttribution;
  onProgress?(progress: RunProgress): void;
}

/** Runs an executor with a recorder attached and returns the run's results document. */
export async function runRecorded(options: RecordedRunOptions): Promise<LoadResults> {
  const { executor, run } = options;
  const recorder = new Recorder({
    latencyBucketsMs: options.latencyBucketsMs,
    ...(options.seriesSteps ? { seriesSteps: options.seriesSteps } : {}),
  });
  const outcome = await runExecutor(executor, options.runner, {
    clock: options.clock,
    signal: options.signal,
    partition: options.partition,
    gracefulStopMs: options.gracefulStopMs,
    maxWaitMs: options.maxWaitMs,
    tickMs: options.tickMs,
    record: (sample, position) => recorder.record(sample, position),
    onDropped: (dropped) => recorder.recordDropped(options.attributeDrop?.(dropped)),
    onTick: (engine) => options.onProgress?.({ engine, live: recorder.liveStats(engine.elapsedMs) }),
  });
  return recorder.toResults({
    id: run.id,
    startedAt: new Date(run.startedAtEpochMs).toISOString(),
    durationMs: Math.max(1, Math.round(outcome.endedAtMs - outcome.startedAtMs)),
    target: run.target,
    executor: executor.kind,
    seed: run.seed,
  });
}
